import type { webApi } from '@slack/bolt';
import type { OutcomeMessage } from '../audit/notices.js';
import type { SendNotice } from '../audit/outbox.js';
import type { Report } from '../audit/report.js';
import type { RequestRow } from '../audit/requests.js';
import type { Log } from '../log.js';
import { slackCallFailed } from './call-failed.js';
import type { CompleteStep } from './step-outcomes.js';
import { deletedMessage, reportMessage, reportModal, slackStyle } from './views/report.js';

/** What the outbox needs to tell a request's outcome in Slack. */
export interface SlackOutcomeDeps {
  client: webApi.WebClient;
  /** What the user is told about a request (queued, or its outcome), in Slack's style. */
  report(row: RequestRow, queued: boolean): Promise<Report>;
  /** Completes a workflow step's execution with its request's outcome (step-outcomes.ts). */
  completeStep: CompleteStep;
  /** The messages that told the outcomes which made a contact what it was: a delete marks them deleted. */
  outcomeMessages(contactId: string): Promise<OutcomeMessage[]>;
  log: Log;
}

/**
 * Tells a request's notice the way its reply asks, in one place: each way in that tells its outcome through Slack has
 * its case here. The outbox retries a notice that throws, and notes in the audit trail what this returns: the DM's
 * channel and `ts`, by which a later delete finds it.
 */
export function slackOutcomes({ client, report, completeStep, outcomeMessages, log }: SlackOutcomeDeps): SendNotice {
  /** The earlier outcome messages of a deleted contact lose their buttons and say it was deleted (best effort: logged). */
  async function markDeleted(row: RequestRow): Promise<number> {
    if (!row.contactId) return 0;
    const note = `This contact was deleted by ${slackStyle.user(row.userId)} on ${slackStyle.time(row.settledAt ?? row.createdAt)}.`;
    const marked = await Promise.allSettled(
      (await outcomeMessages(row.contactId)).map(async ({ request, channel, ts }) =>
        client.chat.update({ channel, ts, ...deletedMessage(await report(request, false), note) }),
      ),
    );
    for (const failed of marked.filter((m) => m.status === 'rejected')) {
      log.warn({ request: row.id, err: failed.reason }, 'could not mark an earlier message of the deleted contact');
    }
    return marked.filter((m) => m.status === 'fulfilled').length;
  }

  return async (notice, row) => {
    const { reply } = row;
    switch (reply.kind) {
      case 'modal':
      case 'dm': {
        // Always by DM, which is retried until it gets through; on the first try in the modal too, while it is open.
        const told = await report(row, notice.what === 'queued');
        const [dm] = await Promise.allSettled([
          client.chat.postMessage({ channel: row.userId, ...reportMessage(told) }),
          reply.kind === 'modal' && notice.attempts === 1
            ? client.views.update({ view_id: reply.viewId, view: reportModal(told, row.operation) }).catch((error: unknown) => {
                log.debug({ request: row.id, err: error }, 'modal no longer open');
              })
            : undefined,
        ]);
        if (dm.status === 'rejected') throw slackCallFailed('chat.postMessage', dm.reason);
        const where = { channel: dm.value.channel ?? row.userId, ...(dm.value.ts ? { ts: dm.value.ts } : {}) };
        return notice.what === 'deleted' ? { ...where, marked: await markDeleted(row) } : where;
      }
      case 'function':
        return completeStep(notice, row, reply.executionId);
      // An import's rows are told together by its progress message, and the CLI prints the outcome itself: neither
      // records notices.
      case 'import':
      case 'cli':
        throw new Error(`no way to tell a ${reply.kind} request in Slack`);
    }
  };
}
