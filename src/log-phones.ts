import metadata from 'libphonenumber-js/max/metadata';

/**
 * Phone numbers in log text, found and masked with plain string work: one pass, a bounded look at each place a number
 * can start, a table lookup for the calling code. (Parsing each match with libphonenumber cost ~2 µs a match: 16 KB of
 * `+1234567` took 30 ms of the event loop.)
 *
 * Masked, all but the last four digits:
 * - international numbers: `+` (or full-width `＋`) right before a digit, then at least 7 digits in groups split by up
 *   to three of space, `-`, `.`, `(`, `)` or a dash (`+91 98765 - 43210`, `+1 (212) 555-0123`) → `+91******3210`;
 * - national numbers written for people, where that is unambiguous: at least 9 digits starting with the trunk `0`
 *   (`098765 43210`, `020 7946 0958`) or with an area code in parentheses (`(212) 555-0123`), split only by spaces,
 *   dashes and parentheses, and not glued to a word or number before them → `*******3210`.
 * Groups that follow on are masked with the number, however many: two numbers one space apart are masked as one
 * (cutting at 15 digits would show the digits of the second).
 * Digits may be any script's (`٩٨٧٦…`, full-width `９８…`). Left alone, since they look like ids, dates and amounts as
 * much as phones: bare digit runs without `0`, `(…)` or `+` (`9876543210`, `2026-11-25`), and decimals (`0.123456789`).
 */
export function maskPhoneNumbers(text: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; ) {
    const number = numberAt(text, i);
    if (number) {
      out += text.slice(copied, i) + number.masked;
      i = copied = number.end;
    } else i += 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const MAX_SEPARATOR_RUN = 3;

/** Calling codes are a prefix code: at most one of a number's first 1–3 digits is one. */
const CALLING_CODES = new Set(Object.keys(metadata.country_calling_codes));

interface Found {
  /** ASCII digits. */
  digits: string;
  end: number;
}

/** The masked number starting at `i`, and where it ends; undefined when none starts there. */
function numberAt(text: string, i: number): { masked: string; end: number } | undefined {
  const c = text[i]!;
  if (c === '+' || c === '\uff0b') {
    const found = digitGroups(text, i + 1, INTERNATIONAL_SEPARATOR);
    if (!found || found.digits.length < 7) return undefined;
    const code = [1, 2, 3].map((n) => found.digits.slice(0, n)).find((prefix) => CALLING_CODES.has(prefix)) ?? '';
    return { masked: `+${code}${allButLastFour(found.digits.slice(code.length))}`, end: found.end };
  }
  if (c !== '(' && digitValue(text, i) !== 0) return undefined;
  if (i > 0 && /[\p{L}\p{N}\p{M}_+.,\uff0b]/u.test(text[i - 1]!)) return undefined;
  const found = c === '(' ? areaCodeFirst(text, i) : digitGroups(text, i, NATIONAL_SEPARATOR);
  if (!found || found.digits.length < 9) return undefined;
  return { masked: allButLastFour(found.digits), end: found.end };
}

const INTERNATIONAL_SEPARATOR = /[\s().\-\u2010-\u2015\u2212]/u;
const NATIONAL_SEPARATOR = /[\s()\-\u2010-\u2015\u2212]/u;

/** `(212) 555-0123`: 1–5 digits in parentheses, then the rest of the number. */
function areaCodeFirst(text: string, open: number): Found | undefined {
  let i = open + 1;
  let area = '';
  for (; area.length <= 5 && i < text.length; i += 1) {
    const d = digitValue(text, i);
    if (d === undefined) break;
    area += d;
  }
  if (area.length === 0 || area.length > 5 || text[i] !== ')') return undefined;
  const rest = digitGroups(text, skipSeparators(text, i + 1, NATIONAL_SEPARATOR), NATIONAL_SEPARATOR);
  return rest && { digits: area + rest.digits, end: rest.end };
}

/**
 * The digits from `start` (which must be one), across separator runs of at most three characters; trailing
 * separators are not part of it. The scan stays linear: a run this reads is either masked and skipped whole, or too
 * short to be a number (under 9 digits, so under ~40 characters).
 */
function digitGroups(text: string, start: number, separator: RegExp): Found | undefined {
  if (digitValue(text, start) === undefined) return undefined;
  let digits = '';
  let i = start;
  let end = start;
  while (i < text.length) {
    const d = digitValue(text, i);
    if (d !== undefined) {
      digits += d;
      i += 1;
      end = i;
      continue;
    }
    const next = skipSeparators(text, i, separator);
    if (next === i || digitValue(text, next) === undefined) break;
    i = next;
  }
  return { digits, end };
}

/** Past at most three separators from `i`. */
function skipSeparators(text: string, i: number, separator: RegExp): number {
  let j = i;
  while (j < text.length && j - i < MAX_SEPARATOR_RUN && separator.test(text[j]!)) j += 1;
  return j;
}

const DECIMAL_DIGIT = /\p{Nd}/u;

/**
 * The value of the decimal digit at `i`, in any script (Unicode puts each script's 0–9 in one run of ten code points,
 * so its zero is at most nine code points back). Digits outside the Basic Multilingual Plane are not read.
 */
function digitValue(text: string, i: number): number | undefined {
  const code = text.charCodeAt(i);
  if (code >= 48 && code <= 57) return code - 48;
  if (code < 0x660 || Number.isNaN(code) || !DECIMAL_DIGIT.test(text[i]!)) return undefined;
  let zero = code;
  while (zero > code - 9 && DECIMAL_DIGIT.test(String.fromCharCode(zero - 1))) zero -= 1;
  return code - zero;
}

function allButLastFour(digits: string): string {
  const hidden = Math.max(0, digits.length - 4);
  return '*'.repeat(hidden) + digits.slice(hidden);
}
