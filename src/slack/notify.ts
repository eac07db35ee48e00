import type { Logger, webApi } from '@slack/bolt';
import type { DeliveryHooks } from '../audit/delivery.js';
import { reportRequest, type Report } from '../audit/report.js';
import { noteEvent, type RequestRow } from '../audit/requests.js';
import type { Db } from '../database.js';
import { reportMessage, reportModal, slackStyle } from './views/report.js';

/** Tells Slack users how their requests went: always by DM, and in the modal while it is open. */
export function slackNotifier(client: webApi.WebClient, db: Db, log: Logger): DeliveryHooks {
  async function tell(row: RequestRow, report: Report, what: string): Promise<void> {
    if (row.source === 'cli') return;
    const viewId = (row.reply as { viewId?: unknown } | null)?.viewId;
    const [dm] = await Promise.allSettled([
      client.chat.postMessage({ channel: row.userId, ...reportMessage(report) }),
      typeof viewId === 'string'
        ? client.views.update({ view_id: viewId, view: reportModal(report) }).catch((error) => {
            log.debug({ request: row.id, err: error }, 'modal no longer open');
          })
        : undefined,
    ]);
    if (dm.status === 'rejected') {
      log.error({ request: row.id, err: dm.reason }, `could not tell the user (${what})`);
      await noteEvent(db, row.id, 'notify_failed', { what, error: String(dm.reason) });
      return;
    }
    await noteEvent(db, row.id, 'notified', { what, channel: row.userId });
  }
  return {
    onQueued: async (row) => tell(row, await reportRequest(db, row, slackStyle, true), 'queued'),
    onSettled: async (row) => tell(row, await reportRequest(db, row, slackStyle), row.status),
  };
}
