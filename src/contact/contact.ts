import { z } from 'zod';
import type { CountryCode } from 'libphonenumber-js/max';

/** Salutations the modal offers and the endpoint accepts. */
export const SALUTATIONS = ['Mr', 'Mrs', 'Ms', 'Dr'] as const;
export type Salutation = (typeof SALUTATIONS)[number];

/** What a person typed or a card held, before validation: every part may be missing. */
export interface ContactDraft {
  salutation?: Salutation;
  firstName?: string;
  lastName?: string;
  /** The number as written, extension included (`+91 99887 76655 ext. 12`). */
  phone?: string;
}

/** A valid, normalised phone number. */
export interface Phone {
  /** `+919876543210` */
  e164: string;
  /** `+91` */
  countryCode: string;
  /** National significant number, digits only, no trunk prefix: `9876543210`. */
  nationalNumber: string;
  /** Extension digits, when the number carried one. */
  extension?: string;
  /** `+91 98765 43210` */
  international: string;
  /** ISO 3166-1 alpha-2 region of the number, when it has one. */
  country?: CountryCode;
}

const name = z
  .string()
  .transform((s) => s.normalize('NFC').replace(/\s+/g, ' ').trim())
  .pipe(z.string().min(1, 'Enter a name.').max(80, 'Keep it under 80 characters.'));

/** Names of a contact, parsed from untrusted input. */
export const ContactNames = z.object({
  salutation: z.enum(SALUTATIONS).optional(),
  firstName: name,
  lastName: name,
});

/** A contact ready for the endpoint. */
export interface Contact extends z.infer<typeof ContactNames> {
  phone: Phone;
}

/** `Dr Priya Natarajan` */
export function fullName(contact: { salutation?: string | null; firstName: string; lastName: string }): string {
  return [contact.salutation, contact.firstName, contact.lastName].filter(Boolean).join(' ');
}
