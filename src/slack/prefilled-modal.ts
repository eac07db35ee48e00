import type { types } from '@slack/bolt';
import type { CountryCode } from 'libphonenumber-js/max';
import type { ContactDraft } from '../contact/contact.js';
import { phoneCountryHint } from '../contact/phone.js';
import { countryByCode } from './countries.js';
import { contactModal, type ModalMetadata } from './views/contact-modal.js';

/** The contact modal prefilled from a draft; its country is the number's own or the default. */
export function prefilledModal(draft: ContactDraft, defaultCountry: CountryCode, metadata: ModalMetadata, note?: string): types.ModalView {
  const hint = draft.phone ? phoneCountryHint(draft.phone, defaultCountry) : undefined;
  const country = countryByCode(hint) ?? countryByCode(defaultCountry)!;
  return contactModal(draft, country, metadata, note);
}

const blankModals = new Map<string, string>();

/** The empty form, serialised once per default country and way in: it is what most forms open with. */
export function blankModal(country: CountryCode, metadata: ModalMetadata): string {
  const key = `${country} ${metadata.source}`;
  let view = blankModals.get(key);
  if (!view) blankModals.set(key, (view = JSON.stringify(prefilledModal({}, country, metadata))));
  return view;
}
