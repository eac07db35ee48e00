import type { Logger, webApi } from '@slack/bolt';
import type { DeliveryHooks } from '../audit/delivery.js';
import { createOutbox, type Outbox, type SendNotice } from '../audit/outbox.js';
import { reportRequest } from '../audit/report.js';
import type { Db } from '../database.js';
import { reportMessage, reportModal, slackStyle } from './views/report.js';

/** A Web API call that failed, named: Slack's own error (`channel_not_found`) says nothing of the method. */
class SlackCallFailed extends Error {
  constructor(readonly method: string, cause: unknown) {
    super(`${method}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SlackCallFailed';
  }
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
    if (dm.status === 'rejected') throw new SlackCallFailed('chat.postMessage', dm.reason);
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
