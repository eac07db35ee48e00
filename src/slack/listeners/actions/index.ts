import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../../actions.js';
import type { SlackDeps } from '../../deps.js';
import { openAddContact } from './open-add-contact.js';

/** Buttons (`block_actions`). */
export function registerActions(app: App, deps: SlackDeps): void {
  app.action<BlockButtonAction>(ACTIONS.openAddContact, openAddContact(deps));
}
