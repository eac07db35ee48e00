import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { CHANGE_ACTIONS } from '../../views/buttons.js';
import { deleteContactButton } from './delete-contact.js';
import { editContactButton } from './edit-contact.js';
import { retryRequestButton } from './retry-request.js';

/** Buttons on the app's messages and Home. */
export function registerActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(CHANGE_ACTIONS.edit, editContactButton(deps));
  app.action<BlockAction<ButtonAction>>(CHANGE_ACTIONS.delete, deleteContactButton(deps));
  app.action<BlockAction<ButtonAction>>(CHANGE_ACTIONS.retry, retryRequestButton(deps));
}
