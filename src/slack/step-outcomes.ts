import type { webApi } from '@slack/bolt';
import type { NoticeRow } from '../audit/notices.js';
import type { Report, ReportStyle } from '../audit/report.js';
import type { RequestRow } from '../audit/requests.js';
import { slackCallFailed } from './call-failed.js';
import { escapeMrkdwn } from './views/mrkdwn.js';

/**
 * A step's outcome in words: plain text that reads the same in Workflow Builder's activity and in a message a later
 * step posts — what came from a person or the endpoint is escaped (`&`, `<`, `>`), so it never becomes a mention.
 */
export const stepStyle: ReportStyle = {
  text: escapeMrkdwn,
  strong: (text) => text,
  user: (userId) => `<@${escapeMrkdwn(userId)}>`,
  time: (at) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
};

/** The step's outputs, as manifest.yml declares them. */
export interface StepOutputs {
  /** The new contact, or the one that holds the number when this app created it; absent when unknown. */
  contact_id?: string;
  status: 'created' | 'duplicate';
  /** E.164 */
  phone_number: string;
  message: string;
}

/** What a settled request tells its step: done, with outputs, or failed, with the reason in words. */
export type StepOutcome = { kind: 'success'; outputs: StepOutputs } | { kind: 'error'; error: string };

/** The outcome of a settled request for its step; `holderId` is the contact that holds a duplicate's number. */
export function stepOutcome(row: RequestRow, report: Report, holderId?: string): StepOutcome {
  const message = [report.title, ...report.lines].join('\n');
  const contactId = row.status === 'duplicate' ? holderId : (row.contactId ?? undefined);
  if (row.status === 'created' || row.status === 'duplicate') {
    return {
      kind: 'success',
      outputs: { ...(contactId ? { contact_id: contactId } : {}), status: row.status, phone_number: row.phoneE164, message },
    };
  }
  return { kind: 'error', error: message };
}

/** What completing a step needs besides the request. */
export interface StepCompletionDeps {
  client: webApi.WebClient;
  /** The request's outcome in the product's words (report.ts), in `stepStyle`. */
  report(row: RequestRow): Promise<Report>;
  /** The execution's own token while it is kept (audit/reply-tokens.ts); without one, the bot token is used. */
  executionToken(requestId: number): Promise<string | undefined>;
  /** The contact ID of the number's earlier creation through this app, if any. */
  holderOf(e164: string): Promise<string | undefined>;
}

/** Tells a workflow step's execution its request's notice; resolves with what the audit trail notes. */
export type CompleteStep = (notice: NoticeRow, row: RequestRow, executionId: string) => Promise<Record<string, unknown>>;

/**
 * Slack's answers that the execution's own token no longer works (it lives about as long as the execution): the
 * completion is tried once more with the bot token.
 */
const EXECUTION_TOKEN_ENDED = new Set(['token_expired', 'token_revoked', 'invalid_auth', 'not_authed']);

/**
 * Completes a step's execution when its request settles: `functions.completeSuccess` for a created or duplicate
 * contact, `functions.completeError` otherwise, with the execution's own token while Slack takes it. A step is told
 * only its outcome: a `queued` notice makes no call.
 */
export function stepCompletion(deps: StepCompletionDeps): CompleteStep {
  return async (notice, row, executionId) => {
    if (notice.what === 'queued') return { execution: executionId, skipped: 'a step is told only its outcome' };
    const outcome = stepOutcome(row, await deps.report(row), row.status === 'duplicate' ? await deps.holderOf(row.phoneE164) : undefined);
    const method = outcome.kind === 'success' ? 'functions.completeSuccess' : 'functions.completeError';
    const complete = async (token: string | undefined) => {
      const call = { function_execution_id: executionId, ...(token ? { token } : {}) };
      if (outcome.kind === 'success') await deps.client.functions.completeSuccess({ ...call, outputs: { ...outcome.outputs } });
      else await deps.client.functions.completeError({ ...call, error: outcome.error });
    };
    const token = await deps.executionToken(row.id);
    const noted = { execution: executionId, completed: outcome.kind };
    try {
      await complete(token);
      return token ? noted : { ...noted, withBotToken: true };
    } catch (error) {
      const refused = (error as { data?: { error?: string } }).data?.error;
      if (!token || !EXECUTION_TOKEN_ENDED.has(refused ?? '')) throw slackCallFailed(method, error);
    }
    try {
      await complete(undefined);
    } catch (error) {
      throw slackCallFailed(method, error);
    }
    return { ...noted, withBotToken: true };
  };
}
