import { retryOf } from '../../../audit/changeable.js';
import type { SlackDeps } from '../../deps.js';
import { clickedTarget, tellClicker, tellSubmitted, type ButtonArgs } from './clicked.js';

/**
 * **Try again** (`retry_request`) on a failed request: a new request for the same contact and change, linked to the
 * failed one in the audit trail (which keeps its own outcome); its outcome comes by DM.
 */
export function retryRequestButton(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const { body } = args;
    const target = await clickedTarget(args, deps, 'retry', (id) => deps.requestToRetry(id));
    if (!target) return;
    const submitted = await deps.submit({
      ...retryOf(target.request),
      teamId: body.team?.id ?? body.user.team_id,
      userId: body.user.id,
      source: 'button',
      reply: { kind: 'dm' },
      // One retry per failed request: a second click finds it (and a retry that fails again has its own button).
      idempotencyKey: () => `retry:${target.request.id}`,
    });
    if (submitted.kind === 'accepted' && !submitted.isNew && submitted.row.status !== 'pending') {
      return tellClicker(args, `That request was already tried again, as request #${submitted.row.id} (${submitted.row.status}).`);
    }
    return tellSubmitted(args, submitted, 'retry');
  };
}
