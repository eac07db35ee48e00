import { NOT_ALLOWED, type SlackDeps } from '../../deps.js';
import { readModalMetadata } from '../../views/contact-modal.js';
import { refuseForm, submitContactForm, type FormSubmissionArgs } from './contact-form.js';

/** Submission of the new-contact modal. */
export function addContactSubmission(deps: SlackDeps) {
  return async (args: FormSubmissionArgs): Promise<void> => {
    if (!deps.permissions.mayCreateContacts(args.body.user.id)) return refuseForm(args.ack, NOT_ALLOWED);
    return submitContactForm(deps, args, { source: readModalMetadata(args.view).source });
  };
}
