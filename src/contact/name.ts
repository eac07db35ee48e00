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
const PARTICLES = new Set([
  'van',
  'von',
  'der',
  'den',
  'ter',
  'ten',
  'zu',
  'de',
  'del',
  'della',
  'di',
  'da',
  'do',
  'dos',
  'das',
  'du',
  'la',
  'le',
  'al',
  'el',
  'bin',
  'binti',
  'ibn',
]);

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
 * become the salutation. A directory's `Smith, John` puts the family name first, but only when one
 * word (and its particles) comes before the comma; otherwise the comma ends the name and what follows
 * (`Priya Natarajan, Acme Corp`) is other text. An email address is not part of a name, nor are a
 * request's lower-case words before it (`please add`, `new contact`).
 */
export function readName(text: string): DraftName {
  const kept = text.split(/\s+/u).filter((word) => !LABEL.test(word) && !word.includes('@'));
  const name = trimEdges(
    withoutRequestWords(kept)
      .join(' ')
      .replace(/\(\s*\)/gu, ' '),
  );
  const [head = '', given, ...others] = name.split(',');
  const family = titled(head);
  if (given !== undefined && others.length === 0 && isOneFamilyName(family.words)) {
    const first = titled(given);
    if (first.words.length > 0) {
      return withoutEmpty({
        salutation: first.salutation ?? family.salutation,
        firstName: joined(first.words),
        lastName: joined(family.words),
      });
    }
  }
  const { salutation, words: parts } = given === undefined ? titled(name) : family;
  if (parts.length < 2) return withoutEmpty({ salutation, firstName: joined(parts) });
  let last = parts.length - 1;
  while (last > 1 && isParticle(parts[last - 1])) last -= 1;
  return withoutEmpty({ salutation, firstName: joined(parts.slice(0, last)), lastName: joined(parts.slice(last)) });
}

/** `Natarajan`, `van der Berg`, `de la Cruz`: one word, with the particles before it. */
function isOneFamilyName(words: string[]): boolean {
  return words.length > 0 && words.slice(0, -1).every(isParticle);
}

function isParticle(word: string | undefined): boolean {
  return PARTICLES.has((word ?? '').toLowerCase());
}

const LOWER_CASE = /^\p{Ll}/u;
const CAPITALISED = /^\p{Lu}/u;

/**
 * The words without the one or two before a capitalised name of two words or more that end in a
 * lower-case word other than a particle: `Please add Priya Natarajan`, `new contact Priya Natarajan`;
 * `Juan de la Cruz`, `de la Cruz` and `Anna maria Rossi` stay whole. Scripts without case keep every word.
 */
function withoutRequestWords(words: string[]): string[] {
  for (const count of [2, 1]) {
    const lead = words.slice(0, count);
    const last = lead[lead.length - 1] ?? '';
    const isRequest = words.length >= count + 2 && LOWER_CASE.test(last) && !lead.some(isParticle) && CAPITALISED.test(words[count] ?? '');
    if (isRequest) return words.slice(count);
  }
  return words;
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
