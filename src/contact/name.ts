import type { ContactDraft, Salutation } from './contact.js';

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

/** A title at the start of the name; `Mx` is recognised so it is not taken for a first name. */
const TITLE = /^(mrs|mr|ms|miss|mx|doctor|dr)(?:\.|\s+|$)\s*/iu;
/** Labels people put before a name or number, such as `Name:` or `tel:`. */
const LABEL = /^(?:name|tel|phone|mobile|mob|cell|ph|number|contact)[:\uFF1A]$/iu;
const EDGE = /^[\s\p{P}\p{S}\p{Cf}]$/u;
/** Words that go with the family name after them: `Ludwig van Beethoven`, `Juan de la Cruz`, `Ahmed al Farsi`. */
const PARTICLES = new Set(
  ['van', 'von', 'der', 'den', 'ter', 'ten', 'zu', 'de', 'del', 'della', 'di', 'da', 'do', 'dos', 'das', 'du', 'la', 'le', 'al', 'el', 'bin', 'binti', 'ibn'],
);

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
 * Reads a whole name as address books do: the last word is the family name, with the particles
 * before it (`van der`, `de la`, `bin`), and the words before are given names; `Dr.` and the like
 * become the salutation, and a directory's `Smith, John` puts the family name first.
 */
export function readName(text: string): DraftName {
  const name = trimEdges(
    text
      .split(/\s+/u)
      .filter((word) => !LABEL.test(word))
      .join(' ')
      .replace(/\(\s*\)/gu, ' '),
  );
  const comma = /^([^,]+),([^,]+)$/u.exec(name);
  if (comma) {
    const [family, given] = [titled(comma[1] ?? ''), titled(comma[2] ?? '')];
    const salutation = given.salutation ?? family.salutation;
    return withoutEmpty({ salutation, firstName: joined(given.words), lastName: joined(family.words) });
  }
  const { salutation, words: parts } = titled(name);
  if (parts.length < 2) return withoutEmpty({ salutation, firstName: joined(parts) });
  let family = parts.length - 1;
  while (family > 1 && PARTICLES.has((parts[family - 1] ?? '').toLowerCase())) family -= 1;
  return withoutEmpty({ salutation, firstName: joined(parts.slice(0, family)), lastName: joined(parts.slice(family)) });
}

/** The salutation the text starts with, if any, and the words after it. */
function titled(text: string): { salutation?: Salutation; words: string[] } {
  const trimmed = trimEdges(text);
  const title = TITLE.exec(trimmed);
  return { salutation: salutationOf(title?.[1]), words: words(trimmed.slice(title ? title[0].length : 0)) };
}

function words(text: string): string[] {
  return text
    .split(/\s+/u)
    .map((word) => trimEdges(word))
    .filter((word) => word.length > 0);
}

function joined(parts: string[]): string | undefined {
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/**
 * The text without spaces, punctuation and symbols at either end; one pass, where `[…]+$` tried again
 * from every position. Only the characters taken off are looked at: a long name is not copied apart.
 */
export function trimEdges(text: string, edge: RegExp = EDGE): string {
  let start = 0;
  let end = text.length;
  while (start < end) {
    const width = codePointWidth(text, start);
    if (!edge.test(text.slice(start, start + width))) break;
    start += width;
  }
  while (end > start) {
    const width = end - start >= 2 && isSurrogatePair(text, end - 2) ? 2 : 1;
    if (!edge.test(text.slice(end - width, end))) break;
    end -= width;
  }
  return text.slice(start, end);
}

function codePointWidth(text: string, at: number): number {
  return isSurrogatePair(text, at) ? 2 : 1;
}

function isSurrogatePair(text: string, at: number): boolean {
  const high = text.charCodeAt(at);
  const low = text.charCodeAt(at + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

/** The name parts of a draft, leaving anything else out. */
export function nameOf({ salutation, firstName, lastName }: DraftName): DraftName {
  return withoutEmpty({ salutation, firstName, lastName });
}

/** The draft with its undefined parts left out, so drafts compare and print cleanly. */
export function withoutEmpty<T extends object>(draft: T): T {
  return Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== undefined)) as T;
}
