import type { App } from '@slack/bolt';
import { CONTACT_STEP } from '../../contact-step.js';
import type { SlackDeps } from '../../deps.js';
import { createContactStep } from './create-contact.js';

/** Workflow Builder steps: each acknowledges its event itself, once its request is recorded. */
export function registerFunctions(app: App, deps: SlackDeps): void {
  app.function(CONTACT_STEP, { autoAcknowledge: false }, createContactStep(deps));
}
