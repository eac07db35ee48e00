import type { ContactDraft, Salutation } from './contact.js';
import { salutationOf } from './name.js';

const DIGIT = String.raw`\p{Nd}`;
const SEPARATOR = String.raw`[\s\-\u2010-\u2015.()/]`;
const EXTENSION = String.raw`\s*[,;]?\s*(?:(?:extension|extn|ext|x)\.?|#)\s*[:=]?\s*${DIGIT}{1,10}`;
/** Digits with separators, an optional leading `+` (or `(`) and an optional extension. */
const PHONE_RUN = new RegExp(String.raw`[+\uFF0B(]*${DIGIT}(?:${SEPARATOR}{0,3}${DIGIT})*(?:${EXTENSION})?`, 'giu');

/** A title at the start of the name; `Mx` is recognised so it is not taken for a first name. */
const TITLE = /^(mrs|mr|ms|miss|mx|doctor|dr)(?:\.|\s+|$)\s*/iu;

/** Labels people put before a name or number, such as `Name:` or `tel:`. */
const LABEL = /^(?:name|tel|phone|mobile|mob|cell|ph|number|contact)[:\uFF1A]$/iu;
const EDGE_PUNCTUATION = /^[\s\p{P}\p{S}\p{Cf}]+|[\s\p{P}\p{S}\p{Cf}]+$/gu;

/** Splits free text such as `Dr. Priya Natarajan +91 99887 76655` into the parts of a contact. */
export function parseContactText(text: string): ContactDraft {
  const phone = longestPhoneRun(text);
  const rest = phone ? text.slice(0, phone.index) + ' ' + text.slice(phone.index + phone.text.length) : text;
  const { salutation, words } = readName(rest);
  const [firstName, ...lastNames] = words;
  return {
    ...(salutation ? { salutation } : {}),
    ...(firstName ? { firstName } : {}),
    ...(lastNames.length > 0 ? { lastName: lastNames.join(' ') } : {}),
    ...(phone ? { phone: phone.text } : {}),
  };
}

function longestPhoneRun(text: string): { text: string; index: number } | undefined {
  let longest: { text: string; index: number } | undefined;
  for (const match of text.matchAll(PHONE_RUN)) {
    const run = withoutUnmatchedOpening(match[0]);
    const index = match.index + match[0].length - run.length;
    if (!longest || run.length > longest.text.length) longest = { text: run, index };
  }
  return longest;
}

// `John (+91 98765 43210)` should give the number, not `(+91 98765 43210`.
function withoutUnmatchedOpening(run: string): string {
  let trimmed = run;
  while (trimmed.startsWith('(') && count(trimmed, '(') > count(trimmed, ')')) trimmed = trimmed.slice(1);
  return trimmed;
}

function count(text: string, character: string): number {
  return text.split(character).length - 1;
}

function readName(text: string): { salutation?: Salutation; words: string[] } {
  const name = text
    .split(/\s+/u)
    .filter((word) => !LABEL.test(word))
    .join(' ')
    .replace(/\(\s*\)/gu, ' ')
    .replace(EDGE_PUNCTUATION, '');
  const title = TITLE.exec(name);
  const salutation = salutationOf(title?.[1]);
  const words = name
    .slice(title ? title[0].length : 0)
    .split(/\s+/u)
    .map((word) => word.replace(EDGE_PUNCTUATION, ''))
    .filter((word) => word.length > 0);
  return salutation ? { salutation, words } : { words };
}
