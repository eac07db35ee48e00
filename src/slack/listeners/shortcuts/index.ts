import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { saveContactShortcut } from './save-contact.js';

/** Message shortcuts. */
export function registerShortcuts(app: App, deps: SlackDeps): void {
  app.shortcut({ type: 'message_action', callback_id: 'save_contact' }, saveContactShortcut(deps));
}
