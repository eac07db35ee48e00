import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { CONTACT_MODAL, EDIT_MODAL } from '../../views/contact-modal.js';
import { IMPORT_MODAL } from '../../views/import-modal.js';
import { addContactSubmission } from './add-contact.js';
import { editContactSubmission } from './edit-contact.js';
import { importSubmission } from './import-contacts.js';

/** Modal submissions. */
export function registerViews(app: App, deps: SlackDeps): void {
  app.view(CONTACT_MODAL, addContactSubmission(deps));
  app.view(EDIT_MODAL, editContactSubmission(deps));
  app.view(IMPORT_MODAL, importSubmission(deps));
}
