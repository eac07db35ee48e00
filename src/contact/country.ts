import { getCountries, isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { mainCountry } from './phone.js';

/** Names people write that are not the English display name of the country (nor its short form, such as `UK`). */
const OTHER_NAMES: Record<string, CountryCode> = {
  usa: 'US',
  'united states of america': 'US',
  'great britain': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  uae: 'AE',
  turkey: 'TR',
  'czech republic': 'CZ',
  'ivory coast': 'CI',
  burma: 'MM',
};

const CALLING_CODE = /^(?:\+|00)?\s*(\d{1,3})$/;

const DISPLAY_NAMES = (['long', 'short'] as const).map((style) => new Intl.DisplayNames(['en'], { type: 'region', style }));

/** Every country libphonenumber knows, by its English names, long and short (`United Kingdom`, `UK`). */
const BY_NAME = new Map<string, CountryCode>([
  ...Object.entries(OTHER_NAMES).map(([name, code]) => [nameKey(name), code] as const),
  ...getCountries().flatMap((code) =>
    DISPLAY_NAMES.flatMap((names) => {
      const name = names.of(code) ?? code;
      // `Myanmar (Burma)` is also written `Myanmar`.
      return [name, name.replace(/\s*\(.*\)$/u, '')].map((written) => [nameKey(written), code] as const);
    }),
  ),
]);

/**
 * The country a spreadsheet cell names: an ISO code (`in`, `IN`), a calling code (`+91`, `91`, `0091`; the main
 * country of a shared code such as +1), or an English name in any case and accents (`India`, `united kingdom`,
 * `Cote d'Ivoire`, `Saint Lucia`). Undefined when it names none.
 */
export function countryOf(text: string): CountryCode | undefined {
  const value = text.trim();
  const code = value.toUpperCase();
  if (/^[A-Z]{2}$/.test(code) && isSupportedCountry(code)) return code as CountryCode;
  const calling = CALLING_CODE.exec(value);
  if (calling?.[1]) return mainCountry(calling[1]);
  return BY_NAME.get(nameKey(value));
}

/** A name compared without case, accents, punctuation or a leading `the`, with `&` as `and` and `St.` as `Saint`. */
function nameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/^the\s+/u, '')
    .replace(/&/gu, ' and ')
    .replace(/\bst\b\.?/gu, 'saint')
    .replace(/[^\p{L}\p{N}]/gu, '');
}
