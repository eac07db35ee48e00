import type { App } from '@slack/bolt';
import { FIELD_BLOCKS } from '../../views/contact-modal.js';
import { IMPORT_COUNTRY } from '../../views/import-modal.js';
import { countryOptions } from './country.js';

/** Options served to external selects. */
export function registerOptions(app: App): void {
  app.options({ type: 'block_suggestion', action_id: FIELD_BLOCKS.country }, countryOptions);
  app.options({ type: 'block_suggestion', action_id: IMPORT_COUNTRY }, countryOptions);
}
