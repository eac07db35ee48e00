import { ACTIONS } from '../actions.js';
import type { types } from '@slack/bolt';
import type { NextStep } from '../../audit/report.js';

/** The action_id of each button that acts on a request (SPEC §4); its value is the request id, and nothing else. */
export const CHANGE_ACTIONS = { edit: ACTIONS.editContact, delete: ACTIONS.deleteContact, retry: ACTIONS.retryRequest } as const;

const plain = (text: string) => ({ type: 'plain_text' as const, text });

/** A delete asks first: the contact goes from the contacts store, and no button brings it back. */
const CONFIRM_DELETE: types.ConfirmationDialog = {
  title: plain('Delete this contact?'),
  text: plain('It will be deleted from the Kore.ai contacts store. This cannot be undone from Slack.'),
  confirm: plain('Delete'),
  deny: plain('Cancel'),
  style: 'danger',
};

/**
 * The button for one next step: Edit, Delete (with its confirm dialog, naming `subject` — "Name (number)" — when
 * given), or Try again.
 */
export function nextStepButton(step: NextStep, subject?: string): types.Button {
  const button: types.Button = {
    type: 'button',
    action_id: CHANGE_ACTIONS[step.change],
    text: plain(step.label),
    value: String(step.requestId),
  };
  if (step.change === 'delete') {
    const confirm = subject ? { ...CONFIRM_DELETE, text: plain(`${subject} will be deleted from Kore.ai Agent AI.`) } : CONFIRM_DELETE;
    return { ...button, style: 'danger', confirm };
  }
  return step.change === 'retry' ? { ...button, style: 'primary' } : button;
}
