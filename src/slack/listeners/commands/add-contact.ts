import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs, types } from '@slack/bolt';
import type { CountryCode } from 'libphonenumber-js/max';
import { parseContactText } from '../../../contact/text.js';
import { NOT_ALLOWED, type SlackDeps } from '../../deps.js';
import { showForm } from '../../open-form.js';
import { prefilledModal } from '../../prefilled-modal.js';

const USAGE = [
  '*/addcontact* opens a form to create a contact in Kore.ai Agent AI.',
  '• `/addcontact` — an empty form',
  '• `/addcontact Dr. Priya Natarajan +91 99887 76655` — the form, filled in from what you typed',
  '• On a message with a contact card, choose *Save as contact* from the message menu (⋯).',
  "You'll get the new contact's ID in a direct message, or be told if the number already belongs to a contact.",
].join('\n');

/** `/addcontact [text | help]`: opens the contact modal, prefilled from the text. */
export function addContactCommand(deps: SlackDeps) {
  return async ({ command, ack, client, respond, logger }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    if (!deps.permissions.mayCreateContacts(command.user_id)) return ack({ response_type: 'ephemeral', text: NOT_ALLOWED });
    const text = typeof command.text === 'string' ? command.text.trim() : '';
    if (/^(help|-h|--help|\?)$/i.test(text)) return ack({ response_type: 'ephemeral', text: USAGE });
    await ack();
    const view =
      text === ''
        ? blankModal(deps.defaultCountry)
        : JSON.stringify(prefilledModal(parseContactText(text), deps.defaultCountry, { source: 'slash' }));
    // The Web API client sends a string as it is; an object it would deep-copy and serialise on every call.
    await showForm('views.open', () => client.views.open({ trigger_id: command.trigger_id, view: view as unknown as types.ModalView }), {
      user: command.user_id,
      respond,
      again: '`/addcontact`',
      logger,
    });
  };
}

const blankModals = new Map<CountryCode, string>();

/** The empty form, serialised once per default country: it is what most `/addcontact` calls open. */
function blankModal(country: CountryCode): string {
  let view = blankModals.get(country);
  if (!view) blankModals.set(country, (view = JSON.stringify(prefilledModal({}, country, { source: 'slash' }))));
  return view;
}
