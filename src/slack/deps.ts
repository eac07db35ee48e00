import type { CountryCode } from 'libphonenumber-js/max';
import type { Report } from '../audit/report.js';
import type { RequestRow } from '../audit/requests.js';
import type { Submit } from '../audit/submit.js';

/** What the Slack listeners need from the rest of the app. */
export interface SlackDeps {
  /** The one submit path (audit/submit.ts), bound to the app's delivery. */
  submit: Submit;
  /** What the user is told about a request, in Slack's style. */
  report(row: RequestRow): Promise<Report>;
  defaultCountry: CountryCode;
  /** Unset: everyone in the workspace may create contacts. */
  allowedUserIds?: ReadonlySet<string>;
  /** Origins (scheme, host, port) the bot token may be sent to when downloading a shared file. */
  fileOrigins: ReadonlySet<string>;
}

/** True when this user may create contacts. */
export function mayCreateContacts(deps: SlackDeps, userId: string): boolean {
  return !deps.allowedUserIds || deps.allowedUserIds.has(userId);
}

/** What a user outside `ALLOWED_USER_IDS` is told. */
export const NOT_ALLOWED =
  "Sorry, you're not on the list of people who can create contacts with this app. Ask your Slack admin if you need access.";
