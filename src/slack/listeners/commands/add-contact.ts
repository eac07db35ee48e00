import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parseContactText } from '../../../contact/text.js';
import { NOT_ALLOWED, type SlackDeps } from '../../deps.js';
import { openForm } from '../../open-form.js';
import { blankModal, prefilledModal } from '../../prefilled-modal.js';

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
        ? blankModal(deps.defaultCountry, { source: 'slash' })
        : JSON.stringify(prefilledModal(parseContactText(text), deps.defaultCountry, { source: 'slash' }));
    await openForm(client, command.trigger_id, view, {
      user: command.user_id,
      tell: (message) => respond({ response_type: 'ephemeral', text: message }),
      again: '`/addcontact`',
      logger,
    });
  };
}
