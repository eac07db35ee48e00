import type { webApi } from '@slack/bolt';
import type { SendNotice } from '../audit/outbox.js';
import type { Report } from '../audit/report.js';
import type { RequestRow } from '../audit/requests.js';
import type { Log } from '../log.js';
import { slackCallFailed } from './call-failed.js';
import type { CompleteStep } from './step-outcomes.js';
import { reportMessage, reportModal } from './views/report.js';

/** What the outbox needs to tell a request's outcome in Slack. */
export interface SlackOutcomeDeps {
  client: webApi.WebClient;
  /** What the user is told about a request (queued, or its outcome), in Slack's style. */
  report(row: RequestRow, queued: boolean): Promise<Report>;
  /** Completes a workflow step's execution with its request's outcome (step-outcomes.ts). */
  completeStep: CompleteStep;
  log: Log;
}

/**
 * Tells a request's notice the way its reply asks, in one place: each way in that tells its outcome through Slack has
 * its case here. The outbox retries a notice that throws, and notes in the audit trail what this returns.
 */
export function slackOutcomes({ client, report, completeStep, log }: SlackOutcomeDeps): SendNotice {
  return async (notice, row) => {
    const { reply } = row;
    switch (reply.kind) {
      case 'modal': {
        // Always by DM, which is retried until it gets through; on the first try in the modal too, while it is open.
        const told = await report(row, notice.what === 'queued');
        const [dm] = await Promise.allSettled([
          client.chat.postMessage({ channel: row.userId, ...reportMessage(told) }),
          notice.attempts === 1
            ? client.views.update({ view_id: reply.viewId, view: reportModal(told) }).catch((error: unknown) => {
                log.debug({ request: row.id, err: error }, 'modal no longer open');
              })
            : undefined,
        ]);
        if (dm.status === 'rejected') throw slackCallFailed('chat.postMessage', dm.reason);
        return { channel: row.userId };
      }
      case 'function':
        return completeStep(notice, row, reply.executionId);
      // Issue 14 edits the import's progress message here.
      case 'import':
      // The CLI prints the outcome itself and records no notices.
      case 'cli':
        throw new Error(`no way to tell a ${reply.kind} request in Slack`);
    }
  };
}
