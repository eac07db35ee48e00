import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { getCountries, getExampleNumber, isValidPhoneNumber, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { countryCallingCode, normalisePhone, type PhoneProblem } from '../../src/contact/phone.js';

type Accepted = [
  input: string,
  defaultCountry: CountryCode,
  e164: string,
  countryCode: string,
  nationalNumber: string,
  extension: string | undefined,
  country: CountryCode,
];

const accepted: Accepted[] = [
  ['+91 98765 43210', 'IN', '+919876543210', '+91', '9876543210', undefined, 'IN'],
  ['098765 43210', 'IN', '+919876543210', '+91', '9876543210', undefined, 'IN'],
  ['91 98765 43210', 'US', '+919876543210', '+91', '9876543210', undefined, 'IN'],
  ['0091 98765 43210', 'IN', '+919876543210', '+91', '9876543210', undefined, 'IN'],
  ['٠٩٨٧٦٥٤٣٢١٠', 'IN', '+919876543210', '+91', '9876543210', undefined, 'IN'],
  ['०९८७६५४३२१०', 'IN', '+919876543210', '+91', '9876543210', undefined, 'IN'],
  ['＋９１ ９８７６５ ４３２１０', 'US', '+919876543210', '+91', '9876543210', undefined, 'IN'],
  ['+91-81234-56789', 'GB', '+918123456789', '+91', '8123456789', undefined, 'IN'],
  ['  +91.98765.43210  ', 'IN', '+919876543210', '+91', '9876543210', undefined, 'IN'],
  ['(+91) 98765 43210', 'US', '+919876543210', '+91', '9876543210', undefined, 'IN'],
  ['+1 212-555-0123 ext. 42', 'IN', '+12125550123', '+1', '2125550123', '42', 'US'],
  ['+1 212 555 0123 ext 42', 'DE', '+12125550123', '+1', '2125550123', '42', 'US'],
  ['212.555.0123 x7', 'US', '+12125550123', '+1', '2125550123', '7', 'US'],
  ['+1 212 555 0123 #9', 'US', '+12125550123', '+1', '2125550123', '9', 'US'],
  ['+1 (212) 555-0123 extension 1234', 'US', '+12125550123', '+1', '2125550123', '1234', 'US'],
  ['tel:+1-201-555-0123;ext=42', 'GB', '+12015550123', '+1', '2015550123', '42', 'US'],
  ['(212) 555-0123', 'US', '+12125550123', '+1', '2125550123', undefined, 'US'],
  ['1 201 555 0123', 'US', '+12015550123', '+1', '2015550123', undefined, 'US'],
  ['07400 123456', 'GB', '+447400123456', '+44', '7400123456', undefined, 'GB'],
  ['+44 (0) 20 7946 0958', 'US', '+442079460958', '+44', '2079460958', undefined, 'GB'],
  ['0044 7400 123456', 'US', '+447400123456', '+44', '7400123456', undefined, 'GB'],
  ['011 44 7400 123456', 'US', '+447400123456', '+44', '7400123456', undefined, 'GB'],
  ['Mobile: +44 7400 123456', 'IN', '+447400123456', '+44', '7400123456', undefined, 'GB'],
  ['01512 3456789', 'DE', '+4915123456789', '+49', '15123456789', undefined, 'DE'],
  ['+49 (0)30 901820', 'US', '+4930901820', '+49', '30901820', undefined, 'DE'],
  ['06 12 34 56 78', 'FR', '+33612345678', '+33', '612345678', undefined, 'FR'],
  ['+33 1 23 45 67 89', 'US', '+33123456789', '+33', '123456789', undefined, 'FR'],
  ['(11) 96123-4567', 'BR', '+5511961234567', '+55', '11961234567', undefined, 'BR'],
  ['+55 11 96123 4567', 'US', '+5511961234567', '+55', '11961234567', undefined, 'BR'],
  ['0412 345 678', 'AU', '+61412345678', '+61', '412345678', undefined, 'AU'],
  ['+61 2 9876 5432', 'US', '+61298765432', '+61', '298765432', undefined, 'AU'],
  ['090-1234-5678', 'JP', '+819012345678', '+81', '9012345678', undefined, 'JP'],
  ['+81 3-1234-5678', 'US', '+81312345678', '+81', '312345678', undefined, 'JP'],
  ['131 2345 6789', 'CN', '+8613123456789', '+86', '13123456789', undefined, 'CN'],
  ['８６ １３１ ２３４５ ６７８９', 'US', '+8613123456789', '+86', '13123456789', undefined, 'CN'],
  ['050 123 4567', 'AE', '+971501234567', '+971', '501234567', undefined, 'AE'],
  ['۰۵۰ ۱۲۳ ۴۵۶۷', 'AE', '+971501234567', '+971', '501234567', undefined, 'AE'],
  ['8123 4567', 'SG', '+6581234567', '+65', '81234567', undefined, 'SG'],
  ['+65 6123 4567', 'IN', '+6561234567', '+65', '61234567', undefined, 'SG'],
  ['071 123 4567', 'ZA', '+27711234567', '+27', '711234567', undefined, 'ZA'],
  ['0802 123 4567', 'NG', '+2348021234567', '+234', '8021234567', undefined, 'NG'],
  ['222 123 4567', 'MX', '+522221234567', '+52', '2221234567', undefined, 'MX'],
  ['+52 55 1234 5678', 'US', '+525512345678', '+52', '5512345678', undefined, 'MX'],
  ['612 34 56 78', 'ES', '+34612345678', '+34', '612345678', undefined, 'ES'],
  ['0034 612 34 56 78', 'DE', '+34612345678', '+34', '612345678', undefined, 'ES'],
  // Italian numbers keep their leading 0: it is part of the number, not a trunk prefix.
  ['+39 06 4567 8901', 'US', '+390645678901', '+39', '0645678901', undefined, 'IT'],
  ['312 345 6789', 'IT', '+393123456789', '+39', '3123456789', undefined, 'IT'],
  ['06 12345678', 'NL', '+31612345678', '+31', '612345678', undefined, 'NL'],
  ['(506) 234-5678', 'CA', '+15062345678', '+1', '5062345678', undefined, 'CA'],
  ['+1 506 234 5678', 'US', '+15062345678', '+1', '5062345678', undefined, 'CA'],
  ['8 (912) 345-67-89', 'RU', '+79123456789', '+7', '9123456789', undefined, 'RU'],
  ['+7 912 345-67-89', 'US', '+79123456789', '+7', '9123456789', undefined, 'RU'],
  ['0712 123456', 'KE', '+254712123456', '+254', '712123456', undefined, 'KE'],
  ['254 712 123456', 'US', '+254712123456', '+254', '712123456', undefined, 'KE'],
  // Words around the number, even touching it, are not letters in it.
  ['Tel.020 7946 0958', 'GB', '+442079460958', '+44', '2079460958', undefined, 'GB'],
  ['+44 7400 123456 (work)', 'IN', '+447400123456', '+44', '7400123456', undefined, 'GB'],
];

const rejected: Array<[input: string, defaultCountry: CountryCode, reason: PhoneProblem]> = [
  ['', 'IN', 'NOT_A_NUMBER'],
  ['   ', 'IN', 'NOT_A_NUMBER'],
  ['abc', 'IN', 'NOT_A_NUMBER'],
  ['call me maybe', 'US', 'NOT_A_NUMBER'],
  ['+', 'IN', 'NOT_A_NUMBER'],
  ['98765 or 43210', 'IN', 'NOT_A_NUMBER'],
  ['12', 'IN', 'TOO_SHORT'],
  ['+91 12', 'US', 'TOO_SHORT'],
  ['123456789012345678901', 'IN', 'TOO_LONG'],
  ['+1 201 555 01234', 'IN', 'TOO_LONG'],
  // Letters are not digits, and are never guessed into keypad digits.
  ['98765ABCDE', 'IN', 'HAS_LETTERS'],
  ['1-800-FLOWERS', 'US', 'HAS_LETTERS'],
  ['+1 800.FLOWERS', 'US', 'HAS_LETTERS'],
  ['98765O43210', 'IN', 'HAS_LETTERS'],
  ['+91 98765 43220 x12ab', 'IN', 'HAS_LETTERS'],
  ['9876543210', 'US', 'INVALID_COUNTRY'],
  ['+999 1234567', 'US', 'INVALID_COUNTRY'],
  ['00999 1234567', 'IN', 'INVALID_COUNTRY'],
  ['9876543210', 'XX' as CountryCode, 'INVALID_COUNTRY'],
  ['+1 987 654 3210', 'US', 'INVALID_NUMBER'],
  ['+91 98765 432101', 'IN', 'INVALID_NUMBER'],
  // Ofcom keeps 07700 900xxx for drama, so it is never a real number.
  ['+44 7700 900123', 'GB', 'INVALID_NUMBER'],
];

describe('normalisePhone', () => {
  it.each(accepted)('reads %j (default %s) as %s', (input, defaultCountry, e164, countryCode, nationalNumber, extension, country) => {
    const result = normalisePhone(input, defaultCountry);
    expect(result).toEqual({
      ok: true,
      phone: { e164, countryCode, nationalNumber, extension, international: expect.any(String), country },
    });
    expect(isValidPhoneNumber(e164)).toBe(true);
  });

  it('covers at least 40 numbers from at least 15 countries', () => {
    expect(accepted.length).toBeGreaterThanOrEqual(40);
    expect(new Set(accepted.map((row) => row[6])).size).toBeGreaterThanOrEqual(15);
  });

  it('formats the international form without the extension', () => {
    expect(normalisePhone('+1 212-555-0123 ext. 42', 'US')).toEqual({
      ok: true,
      phone: {
        e164: '+12125550123',
        countryCode: '+1',
        nationalNumber: '2125550123',
        extension: '42',
        international: '+1 212 555 0123',
        country: 'US',
      },
    });
  });

  it.each(rejected)('rejects %j (default %s) as %s', (input, defaultCountry, reason) => {
    const result = normalisePhone(input, defaultCountry);
    expect(result).toMatchObject({ ok: false, reason });
    if (!result.ok) expect(result.message).toMatch(/^[A-Z+].*\.$/);
  });

  it('says which country a number is too short for', () => {
    expect(normalisePhone('12', 'IN')).toEqual({
      ok: false,
      reason: 'TOO_SHORT',
      message: 'That number is too short for India (IN). Check for missing digits.',
      readIn: 'IN',
    });
  });

  it('says a number with letters has letters, not that it is short', () => {
    expect(normalisePhone('1-800-FLOWERS', 'US')).toEqual({
      ok: false,
      reason: 'HAS_LETTERS',
      message: "Letters aren't digits: type the number in digits only, e.g. +44 7400 123456.",
    });
  });

  it.each([
    ['020 7946 0958', 'US', 'TOO_LONG'],
    ['8123 4567', 'US', 'TOO_SHORT'],
    ['9876543210', 'US', 'INVALID_COUNTRY'],
  ] as const)('says %j was read as a number of %s, which may be the wrong country (%s)', (input, country, reason) => {
    expect(normalisePhone(input, country)).toMatchObject({ ok: false, reason, readIn: country });
  });

  it('does not blame the country of a number typed with its calling code', () => {
    expect(normalisePhone('+1 201 555 01234', 'US')).not.toHaveProperty('readIn');
    expect(normalisePhone('0044 7400 12345678', 'US')).not.toHaveProperty('readIn');
  });
});

describe('countryCallingCode', () => {
  it.each([
    ['IN', '+91'],
    ['US', '+1'],
    ['AE', '+971'],
    ['GB', '+44'],
  ] as const)('gives %s as %s', (country, code) => {
    expect(countryCallingCode(country)).toBe(code);
  });
});

const separators = ['', ' ', '-', '.', '(', ')', '/', ' - ', '\u00a0', '–'];
const scripts = ['0123456789', '٠١٢٣٤٥٦٧٨٩', '۰۱۲۳۴۵۶۷۸۹', '०१२३४५६७८९', '０１２３４５６７８９'];
const defaults: CountryCode[] = ['IN', 'US', 'GB', 'DE', 'BR', 'JP'];
const exampleNumbers = getCountries().flatMap((country) => {
  const number = getExampleNumber(country, examples);
  return number ? [number] : [];
});

/** Writes digits in a script with a random separator after each one. */
function scatter(digits: string, script: string, gaps: string[]): string {
  return [...digits].map((digit, i) => (script[Number(digit)] ?? digit) + (gaps[i % gaps.length] ?? '')).join('');
}

describe('normalisePhone properties', () => {
  const anyText = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: fc.constantFrom(...'0123456789 +-().x#٠۵०０ext:'.split('')), maxLength: 30 }),
  );

  it('never throws, and every accepted number is consistent', () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom(...defaults), (text, country) => {
        const result = normalisePhone(text, country);
        if (result.ok) {
          expect(result.phone.nationalNumber).toMatch(/^\d+$/);
          expect(result.phone.e164).toBe(result.phone.countryCode + result.phone.nationalNumber);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads any valid number the same however it is written', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...exampleNumbers),
        fc.constantFrom('+', '00', 'national'),
        fc.constantFrom(...scripts),
        fc.array(fc.constantFrom(...separators), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('', 'tel:', 'Mobile: '),
        fc.constantFrom('', ' ext. 42', ' x42', ' #42'),
        fc.constantFrom(...defaults),
        (number, form, script, gaps, label, extension, someDefault) => {
          const digits = form === 'national' ? number.formatNational().replace(/\D/g, '') : number.number.slice(1);
          const prefix = form === 'national' ? '' : form;
          const written = label + prefix + scatter(digits, script, gaps) + extension;
          const result = normalisePhone(written, form === 'national' ? (number.country ?? someDefault) : someDefault);
          expect(result).toMatchObject({ ok: true, phone: { e164: number.number } });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses a valid number with a letter typed among its digits, saying letters are not digits', () => {
    // `x` is left out: `x42` at the end is an extension.
    const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWYZabcdefghijklmnopqrstuvwyzÉßДא'];
    fc.assert(
      fc.property(
        fc.constantFrom(...exampleNumbers),
        fc.nat(),
        fc.constantFrom(...letters),
        fc.constantFrom('', '-', '.'),
        (number, at, letter, gap) => {
          const written = number.formatInternational();
          const digitPositions = [...written].flatMap((c, i) => (/\d/.test(c) ? [i] : []));
          const after = digitPositions[at % digitPositions.length]! + 1;
          const typed = written.slice(0, after) + gap + letter + written.slice(after);
          expect(normalisePhone(typed, 'US')).toMatchObject({ ok: false, reason: 'HAS_LETTERS' });
        },
      ),
      { numRuns: 500 },
    );
  });
});
