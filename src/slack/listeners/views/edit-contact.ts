import { editOf, notChangeableMessage } from '../../../audit/changeable.js';
import { changeRefusal } from '../../change-rights.js';
import type { SlackDeps } from '../../deps.js';
import { readEditMetadata } from '../../views/contact-modal.js';
import { refuseForm, submitContactForm, type FormSubmissionArgs } from './contact-form.js';

/**
 * Submission of the edit modal: the request it names is read again and the user's right re-checked (both may have
 * changed since the modal opened); a valid edit that changes something is recorded as an `update` of that contact.
 */
export function editContactSubmission(deps: SlackDeps) {
  return async (args: FormSubmissionArgs): Promise<void> => {
    const requestId = readEditMetadata(args.view);
    const target = requestId === undefined ? undefined : await deps.contactToChange(requestId);
    const refusal = changeRefusal(deps.permissions, args.body.user.id, target?.creatorId);
    if (refusal) return refuseForm(args.ack, refusal);
    if (!target?.ok) return refuseForm(args.ack, notChangeableMessage(target?.why ?? 'unknown', 'edit', target?.request));
    return submitContactForm(deps, args, { source: 'button', ...editOf(target.contact) });
  };
}
