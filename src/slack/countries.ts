import { getCountries, type CountryCode } from 'libphonenumber-js/max';
import { countryCallingCode, mainCountry } from '../contact/phone.js';

/** A country as the `country` select shows it. */
export interface CountryOption {
  code: CountryCode;
  name: string;
  callingCode: string;
  /** `India +91` */
  label: string;
}

const names = new Intl.DisplayNames(['en'], { type: 'region' });

/** Every region libphonenumber knows, by name. */
export const COUNTRIES: readonly CountryOption[] = getCountries()
  .map((code) => {
    const name = names.of(code) ?? code;
    const callingCode = countryCallingCode(code);
    return { code, name, callingCode, label: `${name} ${callingCode}` };
  })
  .sort((a, b) => a.name.localeCompare(b.name));

const BY_CODE = new Map(COUNTRIES.map((c) => [c.code as string, c]));

/** The country for an ISO code, if libphonenumber knows it. */
export function countryByCode(code: string | undefined): CountryOption | undefined {
  return code ? BY_CODE.get(code.toUpperCase()) : undefined;
}

/** Countries matching a query by name, ISO code or calling code; exact code matches first. */
export function searchCountries(query: string, limit = 100): CountryOption[] {
  const q = query.trim().toLowerCase();
  if (q === '') return COUNTRIES.slice(0, limit);
  const digits = q.replace(/^\+/, '');
  const main = mainCountry(digits);
  const rank = (c: CountryOption): number => {
    if (c.code.toLowerCase() === q || c.code === main) return 0;
    if (c.callingCode === `+${digits}`) return 1;
    if (c.name.toLowerCase().startsWith(q)) return 2;
    if (c.name.toLowerCase().includes(q)) return 3;
    if (/^\d+$/.test(digits) && c.callingCode.startsWith(`+${digits}`)) return 4;
    return 5;
  };
  return COUNTRIES.map((c) => [rank(c), c] as const)
    .filter(([r]) => r < 5)
    .sort((a, b) => a[0] - b[0])
    .slice(0, limit)
    .map(([, c]) => c);
}
