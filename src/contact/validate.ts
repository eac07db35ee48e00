import type { CountryCode } from 'libphonenumber-js/max';
import { ContactNames, type Contact } from './contact.js';
import { normalisePhone } from './phone.js';

/** The fields a person fills in, as raw text. */
export interface ContactInput {
  salutation?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  /** Overrides any extension written in `phone`. */
  extension?: string;
  /** Region for a number typed without `+`. */
  country?: CountryCode;
}

export type ContactField = 'salutation' | 'firstName' | 'lastName' | 'phone' | 'extension';

/** A validated contact, or one message per field at fault. */
export type ValidatedContact =
  | { ok: true; contact: Contact }
  | { ok: false; errors: Partial<Record<ContactField, string>> };

/** Turns what a person typed into a `Contact`, or says what to fix in each field. */
export function validateContact(input: ContactInput, defaultCountry: CountryCode): ValidatedContact {
  const errors: Partial<Record<ContactField, string>> = {};
  const names = ContactNames.safeParse({
    salutation: input.salutation || undefined,
    firstName: input.firstName ?? '',
    lastName: input.lastName ?? '',
  });
  if (!names.success) {
    for (const issue of names.error.issues) {
      const field = issue.path[0] as ContactField;
      errors[field] ??= field === 'salutation' ? 'Choose Mr, Mrs, Ms or Dr.' : issue.message;
    }
  }
  const extension = input.extension?.trim();
  if (extension && !/^\d{1,10}$/.test(extension)) errors.extension = 'Use digits only, up to 10.';
  const phone = normalisePhone(input.phone ?? '', input.country ?? defaultCountry);
  if (!phone.ok) errors.phone = phone.message;

  if (!names.success || !phone.ok || errors.extension) return { ok: false, errors };
  return {
    ok: true,
    contact: { ...names.data, phone: extension ? { ...phone.phone, extension } : phone.phone },
  };
}
