import type { types } from '@slack/bolt';
import type { CountryCode } from 'libphonenumber-js/max';
import type { RequestRow } from '../audit/requests.js';
import type { ContactDraft } from '../contact/contact.js';
import { formatE164, phoneCountryHint } from '../contact/phone.js';
import { countryByCode } from './countries.js';
import { contactModal, type EditMetadata, type ModalMetadata } from './views/contact-modal.js';

/** The contact modal prefilled from a draft; its country is the number's own or the default. */
export function prefilledModal(
  draft: ContactDraft & { extension?: string },
  defaultCountry: CountryCode,
  metadata: ModalMetadata | EditMetadata,
  note?: string,
): types.ModalView {
  const hint = draft.phone ? phoneCountryHint(draft.phone, defaultCountry) : undefined;
  const country = countryByCode(hint) ?? countryByCode(defaultCountry)!;
  return contactModal(draft, country, metadata, note);
}

/** The edit modal for the contact request `editOf` made, prefilled with its values as they stand (`current`). */
export function editModal(current: RequestRow, editOf: number, defaultCountry: CountryCode): types.ModalView {
  const draft = {
    ...(current.salutation ? { salutation: current.salutation } : {}),
    firstName: current.firstName,
    lastName: current.lastName,
    phone: formatE164(current.phoneE164),
    ...(current.extension ? { extension: current.extension } : {}),
  };
  return prefilledModal(draft, defaultCountry, { editOf });
}

const blankModals = new Map<string, string>();

/** The empty form, serialised once per default country and way in: it is what most forms open with. */
export function blankModal(country: CountryCode, metadata: ModalMetadata): string {
  const key = `${country} ${metadata.source}`;
  let view = blankModals.get(key);
  if (!view) blankModals.set(key, (view = JSON.stringify(prefilledModal({}, country, metadata))));
  return view;
}
