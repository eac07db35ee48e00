import type { ContactDraft, Salutation } from './contact.js';
import { parseContactText } from './text.js';

/** The name parts of a draft. */
export type DraftName = Pick<ContactDraft, 'salutation' | 'firstName' | 'lastName'>;

const SALUTATION_WORDS: Record<string, Salutation> = {
  mr: 'Mr',
  mrs: 'Mrs',
  ms: 'Ms',
  miss: 'Ms',
  dr: 'Dr',
  doctor: 'Dr',
};

/** The salutation an honorific such as `DR.`, `Mrs` or `Miss` stands for; undefined for any other word. */
export function salutationOf(word: string | undefined): Salutation | undefined {
  const key = (word ?? '').trim().replace(/\.$/, '').toLowerCase();
  return Object.hasOwn(SALUTATION_WORDS, key) ? SALUTATION_WORDS[key] : undefined;
}

/** Collapses whitespace; undefined when nothing is left. */
export function cleanPart(text: string | undefined): string | undefined {
  const cleaned = (text ?? '').replace(/\s+/g, ' ').trim();
  return cleaned === '' ? undefined : cleaned;
}

/**
 * Splits a whole name (`Dr. Priya Natarajan`) the way typed text is split, so a name reads the
 * same whichever way it arrived; a directory's `Smith, John` puts the family name first.
 */
export function splitName(full: string): DraftName {
  const comma = /^([^,]+),([^,]+)$/u.exec(full.trim());
  if (!comma) return nameParts(full);
  const given = nameParts(comma[2] ?? '');
  const firstName = cleanPart([given.firstName, given.lastName].filter(Boolean).join(' '));
  return withoutEmpty({ salutation: given.salutation, firstName, lastName: cleanPart(comma[1]) });
}

function nameParts(text: string): DraftName {
  const { salutation, firstName, lastName } = parseContactText(text);
  return withoutEmpty({ salutation, firstName, lastName });
}

/** The draft with its undefined parts left out, so drafts compare and print cleanly. */
export function withoutEmpty<T extends object>(draft: T): T {
  return Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== undefined)) as T;
}
