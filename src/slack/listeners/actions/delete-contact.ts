import { deletionOf } from '../../../audit/changeable.js';
import type { SlackDeps } from '../../deps.js';
import { clickedTarget, tellSubmitted, type ButtonArgs } from './clicked.js';

/**
 * **Delete** (`delete_contact`, confirmed in Slack first): a `delete` request for the contact, for its creator or an
 * admin; the outcome comes by DM, and the earlier messages about the contact are marked deleted then.
 */
export function deleteContactButton(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const { body } = args;
    const target = await clickedTarget(args, deps, 'delete', (id) => deps.contactToChange(id));
    if (!target) return;
    const submitted = await deps.submit({
      ...deletionOf(target.contact),
      teamId: body.team?.id ?? body.user.team_id,
      userId: body.user.id,
      source: 'button',
      reply: { kind: 'dm' },
      // A double click, or Slack retrying the click, is the same delete.
      idempotencyKey: () => `delete:${target.request.id}:${target.contact.contactId}`,
    });
    return tellSubmitted(args, submitted, 'delete');
  };
}
