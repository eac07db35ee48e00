import type { types } from '@slack/bolt';
import type { CountryCode } from 'libphonenumber-js/max';
import type { ContactTarget, RetryTarget } from '../audit/changeable.js';
import type { ImportRecord, ImportSubmission, NewDraft, SubmittedImport } from '../audit/import-drafts.js';
import type { ImportProgress } from '../audit/import-progress.js';
import type { Report } from '../audit/report.js';
import type { RequestRow } from '../audit/requests.js';
import type { Submit } from '../audit/submit.js';
import type { Permissions } from '../permissions.js';

/** What the Slack listeners need from the rest of the app. */
export interface SlackDeps {
  /** The one submit path (audit/submit.ts), bound to the app's delivery. */
  submit: Submit;
  /** What the user is told about a request, in Slack's style. */
  report(row: RequestRow): Promise<Report>;
  /** Reads request `requestId` again for an edit or a delete: the contact as it stands, and who created it. */
  contactToChange(requestId: number): Promise<ContactTarget>;
  /** Reads request `requestId` again for a retry. */
  requestToRetry(requestId: number): Promise<RetryTarget>;
  /** Bulk imports: a file's rows kept as a draft while its preview is open, and the submit that makes them requests. */
  imports: {
    saveDraft(draft: NewDraft): Promise<string>;
    /** The user's draft by its key, while it is one. */
    findDraft(key: string, userId: string): Promise<ImportRecord | undefined>;
    /** Records the requests in one transaction, within Slack's wait for the ack, or throws (`TooSlowError`). */
    submit(submission: ImportSubmission): Promise<SubmittedImport>;
    /** Reads import `importId` again for its Cancel button: who started it, and whether it is still running. */
    toCancel(importId: string): Promise<ImportProgress | undefined>;
    /**
     * Cancels the rows of an import not yet sent, on behalf of `by`; its progress message says so at its next edit.
     * False when no row was waiting any more: nothing was cancelled.
     */
    cancel(importId: string, by: string): Promise<boolean>;
  };
  /** A user's App Home as it stands now. */
  home(userId: string): Promise<types.HomeView>;
  defaultCountry: CountryCode;
  permissions: Permissions;
  /** Origins (scheme, host, port) the bot token may be sent to when downloading a shared file. */
  fileOrigins: ReadonlySet<string>;
}

/** What a user outside `ALLOWED_USER_IDS` is told. */
export const NOT_ALLOWED =
  "Sorry, you're not on the list of people who can create contacts with this app. Ask your Slack admin if you need access.";
