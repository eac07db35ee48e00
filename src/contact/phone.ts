import metadata from 'libphonenumber-js/max/metadata';
import {
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
  type ValidatePhoneNumberLengthResult,
} from 'libphonenumber-js/max';
import type { Phone } from './contact.js';

/** Why a typed number could not be used. */
export type PhoneProblem = 'NOT_A_NUMBER' | 'HAS_LETTERS' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_COUNTRY' | 'INVALID_NUMBER';

/** What was wrong with a typed number, in words for anyone; each surface adds its own hint from the rest. */
export interface PhoneFailure {
  ok: false;
  reason: PhoneProblem;
  message: string;
  /**
   * Set when the number had no calling code and so was read as one of this country: it may belong to another, and
   * the surface says how to choose it (a CLI option, a form field).
   */
  readIn?: CountryCode;
}

/** A normalised phone, or the problem with what was typed and what to do about it. */
export type PhoneResult = { ok: true; phone: Phone } | PhoneFailure;

/** How a number was written once labels, separators and the extension are set aside. */
interface WrittenNumber {
  digits: string;
  /** Typed with a leading `+`, so the digits start with a calling code. */
  plus: boolean;
  extension?: string;
}

/** A number to try, and the country to read it in when it has no calling code. */
type Reading = [text: string, country: CountryCode | undefined];

const EXAMPLE = '+44 7400 123456';

/** `ext. 42`, `ext 42`, `x42`, `#42`, `extension 42`, `;ext=42` (tel: URIs) at the end of the text. */
const EXTENSION = /(?:(?<!\p{L})(?:extension|extn|ext|x)\.?|#)\s*[:=]?\s*(\d{1,10})[^\p{L}\d]*$/iu;
const SEPARATORS = /^[\d\s\-\u2010-\u2015.()/[\]]*$/u;
const PLUS_BEFORE_DIGITS = /\+[\s\-\u2010-\u2015.(/[]*$/u;
const DECIMAL_DIGIT = /\p{Nd}/u;
/**
 * A letter right after a digit, or after a digit and `-` `.` `/`: `98765ABCDE`, `1-800-FLOWERS`, `98765O43210`.
 * Letters are never mapped to keypad digits: a contact's number is a phone to call back, and a guessed digit would
 * create a wrong contact without a word. (Each start is a digit and the run after it is one class, so this is linear.)
 */
const LETTER_AFTER_DIGIT = /\d[-./]*\p{L}/u;

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** Reads a typed phone number in any common notation and checks it is a real, dialable number. */
export function normalisePhone(text: string, defaultCountry: CountryCode): PhoneResult {
  const written = readWrittenNumber(text);
  if (written === 'HAS_LETTERS') return failure('HAS_LETTERS', `Letters aren't digits: type the number in digits only, e.g. ${EXAMPLE}.`);
  if (!written) return notANumber();
  const home = isSupportedCountry(defaultCountry) ? defaultCountry : undefined;
  const international = `+${written.digits.replace(/^00/, '')}`;
  const national: Reading = [written.digits, home];
  const abroad: Reading = [international, undefined];
  const dialledAbroad = written.plus || written.digits.startsWith('00');
  // `00` means abroad almost everywhere, even where it also starts domestic numbers (Japan's 0037…);
  // people also type a calling code without its `+` (`91 98765 43210`), so that is the fallback.
  const readings = written.plus ? [abroad] : dialledAbroad ? [abroad, national] : [national, abroad];
  for (const [candidate, country] of readings) {
    const number = parse(candidate, country);
    if (number?.isValid()) return { ok: true, phone: toPhone(number, written.extension) };
  }
  return dialledAbroad ? internationalProblem(international) : nationalProblem(written.digits, home);
}

/** `+91` for India. */
export function countryCallingCode(country: CountryCode): string {
  return `+${getCountryCallingCode(country)}`;
}

/**
 * A stored E.164 number written for people (`+91 98765 43210`), by the calling code it was stored with. It is not
 * validated again: a number valid when recorded stays readable after the numbering metadata moves on.
 */
export function formatE164(e164: string): string {
  return parse(e164, undefined)?.formatInternational() ?? e164;
}

function readWrittenNumber(text: string): WrittenNumber | 'HAS_LETTERS' | undefined {
  const ascii = toAsciiDigits(text.normalize('NFKC'));
  const extensionMatch = EXTENSION.exec(ascii);
  const body = extensionMatch ? ascii.slice(0, extensionMatch.index) : ascii;
  const first = body.search(/\d/);
  if (first < 0) return undefined;
  // Only after the first digit: a label before the number (`Tel.020…`) may touch it.
  if (LETTER_AFTER_DIGIT.test(body.slice(first))) return 'HAS_LETTERS';
  const last = body.search(/\d\D*$/);
  const core = body.slice(first, last + 1);
  if (!SEPARATORS.test(core)) return undefined;
  return {
    digits: core.replace(/\D/g, ''),
    plus: PLUS_BEFORE_DIGITS.test(body.slice(0, first)),
    extension: extensionMatch?.[1],
  };
}

/** Any script's decimal digits as ASCII, since people type numbers in their own script. */
function toAsciiDigits(text: string): string {
  return text.replace(/\p{Nd}/gu, (digit) => String(digitValue(digit)));
}

// Unicode encodes every set of decimal digits as a contiguous, ascending 0–9 run.
function digitValue(digit: string): number {
  const code = digit.codePointAt(0) ?? 0;
  let zero = code;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(zero - 1))) zero -= 1;
  return (code - zero) % 10;
}

function parse(text: string, country: CountryCode | undefined): PhoneNumber | undefined {
  try {
    return parsePhoneNumberFromString(text, country);
  } catch {
    return undefined;
  }
}

function toPhone(number: PhoneNumber, extension: string | undefined): Phone {
  return {
    e164: number.number,
    countryCode: `+${number.countryCallingCode}`,
    nationalNumber: number.nationalNumber,
    ...(extension ? { extension } : {}),
    international: number.formatInternational(),
    ...(number.country ? { country: number.country } : {}),
  };
}

function internationalProblem(international: string): PhoneResult {
  const problem = lengthProblem(international, undefined);
  if (problem === 'NOT_A_NUMBER') return notANumber();
  const country = parse(international, undefined)?.country ?? mainCountryOf(international);
  if (problem === 'INVALID_COUNTRY' || !country) {
    return failure('INVALID_COUNTRY', `That country code isn't one I know. Check the digits after the +, e.g. ${EXAMPLE}.`);
  }
  if (problem === 'TOO_SHORT' || problem === 'TOO_LONG') return lengthFailure(problem, country);
  return failure('INVALID_NUMBER', `That isn't a valid number in ${regionName(country)}. Check the digits.`);
}

function nationalProblem(digits: string, home: CountryCode | undefined): PhoneResult {
  if (!home) return failure('INVALID_COUNTRY', `Add the country code, e.g. ${EXAMPLE}.`);
  const problem = lengthProblem(digits, home);
  if (problem === 'NOT_A_NUMBER') return notANumber();
  // The digits could be right for some other country, so the fix may be the country, not a digit: `readIn` says so.
  const failed =
    problem === 'TOO_SHORT' || problem === 'TOO_LONG'
      ? lengthFailure(problem, home)
      : failure('INVALID_COUNTRY', `That isn't a valid number in ${regionName(home)}. Check the digits.`);
  return { ...failed, readIn: home };
}

function lengthProblem(text: string, country: CountryCode | undefined): ValidatePhoneNumberLengthResult | undefined {
  try {
    return validatePhoneNumberLength(text, country);
  } catch {
    return 'NOT_A_NUMBER';
  }
}

/** The country that owns a calling code's numbering plan, e.g. US for +1. */
function mainCountryOf(international: string): CountryCode | undefined {
  // Calling codes are prefix-free, so the first one that matches is the only one.
  for (let length = 1; length <= 3; length += 1) {
    const country = mainCountry(international.slice(1, 1 + length));
    if (country) return country;
  }
  return undefined;
}

function lengthFailure(problem: 'TOO_SHORT' | 'TOO_LONG', country: CountryCode): PhoneFailure {
  return problem === 'TOO_SHORT'
    ? failure(problem, `That number is too short for ${regionName(country)}. Check for missing digits.`)
    : failure(problem, `That number is too long for ${regionName(country)}. Check for extra digits.`);
}

function notANumber(): PhoneFailure {
  return failure('NOT_A_NUMBER', `That doesn't look like a phone number. Type the digits, e.g. ${EXAMPLE}.`);
}

function failure(reason: PhoneProblem, message: string): PhoneFailure {
  return { ok: false, reason, message };
}

function regionName(country: CountryCode): string {
  return `${regionNames.of(country) ?? country} (${country})`;
}

/** The country a typed number points at, even when it is not valid: its own, or the main one of its calling code. */
export function phoneCountryHint(text: string, defaultCountry: CountryCode): CountryCode | undefined {
  const result = normalisePhone(text, defaultCountry);
  if (result.ok) return result.phone.country;
  const written = readWrittenNumber(text);
  if (!written || written === 'HAS_LETTERS' || !(written.plus || written.digits.startsWith('00'))) return undefined;
  const international = `+${written.digits.replace(/^00/, '')}`;
  return parse(international, undefined)?.country ?? mainCountryOf(international);
}

/** The main region of a calling code (`44` → GB, `1` → US, `7` → RU). */
export function mainCountry(callingCode: string): CountryCode | undefined {
  return (metadata.country_calling_codes as Record<string, CountryCode[]>)[callingCode]?.[0];
}
