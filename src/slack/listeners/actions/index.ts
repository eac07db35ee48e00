import type { App, BlockAction, BlockButtonAction, ButtonAction, ExternalSelectAction } from '@slack/bolt';
import { ACTIONS } from '../../actions.js';
import type { SlackDeps } from '../../deps.js';
import { IMPORT_COUNTRY } from '../../views/import-modal.js';
import { cancelImportButton } from './cancel-import.js';
import { deleteContactButton } from './delete-contact.js';
import { editContactButton } from './edit-contact.js';
import { importCountryChanged } from './import-country.js';
import { openAddContact } from './open-add-contact.js';
import { retryRequestButton } from './retry-request.js';

/** Buttons on the app's messages and Home (`block_actions`). */
export function registerActions(app: App, deps: SlackDeps): void {
  app.action<BlockButtonAction>(ACTIONS.openAddContact, openAddContact(deps));
  app.action<BlockAction<ButtonAction>>(ACTIONS.editContact, editContactButton(deps));
  app.action<BlockAction<ButtonAction>>(ACTIONS.deleteContact, deleteContactButton(deps));
  app.action<BlockAction<ButtonAction>>(ACTIONS.retryRequest, retryRequestButton(deps));
  app.action<BlockAction<ButtonAction>>(ACTIONS.cancelImport, cancelImportButton(deps));
  app.action<BlockAction<ExternalSelectAction>>(IMPORT_COUNTRY, importCountryChanged(deps));
}
