import { expect } from 'vitest';
import { SALUTATIONS, type ContactDraft } from '../../src/contact/contact.js';

/** A draft holds only strings, a known salutation, and a name or a number. */
export function expectWellFormed(draft: ContactDraft): void {
  for (const [key, value] of Object.entries(draft)) {
    expect(['salutation', 'firstName', 'lastName', 'phone']).toContain(key);
    expect(typeof value).toBe('string');
  }
  if (draft.salutation !== undefined) expect(SALUTATIONS).toContain(draft.salutation);
  expect(Boolean(draft.firstName || draft.lastName || draft.phone)).toBe(true);
}
