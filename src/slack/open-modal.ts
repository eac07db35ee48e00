import type { webApi } from '@slack/bolt';
import type { CountryCode } from 'libphonenumber-js/max';
import type { ContactDraft } from '../contact/contact.js';
import { normalisePhone } from '../contact/phone.js';
import { countryByCode } from './countries.js';
import { contactModal, type ModalMetadata } from './views/contact-modal.js';

/** Opens the contact modal prefilled from a draft; the country is the number's own or the default. */
export async function openContactModal(
  client: webApi.WebClient,
  triggerId: string,
  draft: ContactDraft,
  defaultCountry: CountryCode,
  metadata: ModalMetadata,
  note?: string,
): Promise<void> {
  const phone = draft.phone ? normalisePhone(draft.phone, defaultCountry) : undefined;
  const country = countryByCode(phone?.ok ? phone.phone.country : undefined) ?? countryByCode(defaultCountry)!;
  await client.views.open({ trigger_id: triggerId, view: contactModal(draft, country, metadata, note) });
}
