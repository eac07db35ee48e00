import type { Logger, webApi } from '@slack/bolt';
import type { DeliveryHooks } from '../audit/delivery.js';
import { createOutbox, NoticeNotSent, type Outbox, type SendNotice } from '../audit/outbox.js';
import { reportRequest } from '../audit/report.js';
import type { Db } from '../database.js';
import { reportMessage, reportModal, slackStyle } from './views/report.js';

/**
 * Slack's answers that no later try changes: the message itself is refused, the user or channel is not there, or the
 * token cannot post. Retrying them for a day only fills the log.
 */
const FINAL_ERRORS = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
  'msg_too_long',
  'no_text',
  'user_not_found',
  'user_disabled',
  'channel_not_found',
  'is_archived',
  'cannot_dm_bot',
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'not_allowed_token_type',
]);

/** A DM Slack refused, named (Slack's own `channel_not_found` says nothing of the method), with what it means for the next try. */
function slackCallFailed(method: string, cause: unknown): NoticeNotSent {
  const error = cause as { code?: string; retryAfter?: number; data?: { error?: string } } | undefined;
  const how =
    error?.code === 'slack_webapi_rate_limited_error' && typeof error.retryAfter === 'number'
      ? { retryAfterMs: error.retryAfter * 1_000 }
      : { final: error?.code === 'slack_webapi_platform_error' && FINAL_ERRORS.has(error.data?.error ?? '') };
  return new NoticeNotSent(`${method}: ${cause instanceof Error ? cause.message : String(cause)}`, how, { cause });
}

/** Tells Slack users how their requests went, from the notices in the database. */
export type SlackNotifier = DeliveryHooks & Pick<Outbox, 'start' | 'stop'>;

/**
 * Tells Slack users how their requests went: always by DM, retried from the database until it gets through (or is a
 * day old), and on the first try in the modal too while it is open.
 */
export function slackNotifier(client: webApi.WebClient, db: Db, log: Logger): SlackNotifier {
  const send: SendNotice = async (notice, row) => {
    const report = await reportRequest(db, row, slackStyle, notice.what === 'queued');
    const viewId = (row.reply as { viewId?: unknown } | null)?.viewId;
    const [dm] = await Promise.allSettled([
      client.chat.postMessage({ channel: row.userId, ...reportMessage(report) }),
      typeof viewId === 'string' && notice.attempts === 1
        ? client.views.update({ view_id: viewId, view: reportModal(report) }).catch((error) => {
            log.debug({ request: row.id, err: error }, 'modal no longer open');
          })
        : undefined,
    ]);
    if (dm.status === 'rejected') throw slackCallFailed('chat.postMessage', dm.reason);
    return { channel: row.userId };
  };
  const outbox = createOutbox(db, { send, log });
  return {
    onQueued: (row) => outbox.tellNow(row.id),
    onSettled: (row) => outbox.tellNow(row.id),
    start: () => outbox.start(),
    stop: (graceMs) => outbox.stop(graceMs),
  };
}
