import type { CountryCode } from 'libphonenumber-js/max';
import { ContactNames, type Contact } from './contact.js';
import { normalisePhone, type PhoneFailure } from './phone.js';

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

/** One message per field at fault. */
export type FieldErrors = Partial<Record<ContactField, string>>;

/** What made a contact invalid: a message per field, and the phone's own problem for a surface to add its hint. */
export interface InvalidContact {
  ok: false;
  errors: FieldErrors;
  phone?: PhoneFailure;
}

/** A validated contact, or what is wrong with it. */
export type ValidatedContact = { ok: true; contact: Contact } | InvalidContact;

/** Turns what a person typed into a `Contact`, or says what to fix in each field. */
export function validateContact(input: ContactInput, defaultCountry: CountryCode): ValidatedContact {
  const errors: FieldErrors = {};
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

  if (!names.success || !phone.ok || errors.extension) return { ok: false, errors, ...(phone.ok ? {} : { phone }) };
  return {
    ok: true,
    contact: { ...names.data, phone: extension ? { ...phone.phone, extension } : phone.phone },
  };
}

/**
 * The messages to show, with the surface's own words for choosing another country added to a phone error when the
 * number was read in a country it may not belong to (each surface chooses a country its own way).
 */
export function fieldMessages(invalid: InvalidContact, otherCountryHint: (readIn: CountryCode) => string): FieldErrors {
  const readIn = invalid.phone?.readIn;
  if (!readIn || !invalid.errors.phone) return invalid.errors;
  return { ...invalid.errors, phone: `${invalid.errors.phone} ${otherCountryHint(readIn)}` };
}

/** A country to give as an example of another one: not the one the number was just read in. */
export function otherCountryExample(readIn: CountryCode): CountryCode {
  return readIn === 'GB' ? 'IN' : 'GB';
}
