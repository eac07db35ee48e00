import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parseContactText } from '../../../contact/text.js';
import { mayCreateContacts, NOT_ALLOWED, type SlackDeps } from '../../deps.js';
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
  return async ({ command, ack, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    if (!mayCreateContacts(deps, command.user_id)) return ack({ response_type: 'ephemeral', text: NOT_ALLOWED });
    const text = typeof command.text === 'string' ? command.text.trim() : '';
    if (/^(help|-h|--help|\?)$/i.test(text)) return ack({ response_type: 'ephemeral', text: USAGE });
    await ack();
    const view = prefilledModal(parseContactText(text), deps.defaultCountry, { source: 'slash' });
    await client.views.open({ trigger_id: command.trigger_id, view });
  };
}
