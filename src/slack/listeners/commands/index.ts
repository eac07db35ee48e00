import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { addContactCommand } from './add-contact.js';

/** Slash commands. */
export function registerCommands(app: App, deps: SlackDeps): void {
  app.command('/addcontact', addContactCommand(deps));
}
