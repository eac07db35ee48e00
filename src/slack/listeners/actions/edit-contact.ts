import type { SlackDeps } from '../../deps.js';
import { showForm } from '../../open-form.js';
import { editModal } from '../../prefilled-modal.js';
import { clickedTarget, tellClicker, type ButtonArgs } from './clicked.js';

/** **Edit** (`edit_contact`): the edit modal, prefilled with the contact as it stands, for its creator or an admin. */
export function editContactButton(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const { body } = args;
    const target = await clickedTarget(args, deps, 'edit', (id) => deps.contactToChange(id));
    if (!target) return;
    const view = editModal(target.contact.current, target.request.id, deps.defaultCountry);
    await showForm('views.open', () => args.client.views.open({ trigger_id: body.trigger_id, view }), {
      user: body.user.id,
      tell: (text) => tellClicker(args, text),
      again: '*Edit*',
      logger: args.logger,
    });
  };
}
