import type { AllMiddlewareArgs, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import { searchCountries } from '../../countries.js';
import { countryOption } from '../../views/contact-modal.js';

/** Serves the `country` external_select: countries matching what the user typed. */
export async function countryOptions({ options, ack }: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs): Promise<void> {
  await ack({ options: searchCountries(typeof options.value === 'string' ? options.value : '').map(countryOption) });
}
