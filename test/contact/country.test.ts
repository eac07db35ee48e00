import { describe, expect, it } from 'vitest';
import { countryOf } from '../../src/contact/country.js';

describe('countryOf', () => {
  it.each([
    ['in', 'IN'],
    [' IN ', 'IN'],
    ['+91', 'IN'],
    ['91', 'IN'],
    ['0091', 'IN'],
    ['+ 44', 'GB'],
    ['India', 'IN'],
    ['united kingdom', 'GB'],
    ['UK', 'GB'],
    ['England', 'GB'],
    ['USA', 'US'],
    ['United States', 'US'],
    ['+1', 'US'],
    ["Cote d'Ivoire", 'CI'],
    ['Côte d’Ivoire', 'CI'],
    ['Saint Lucia', 'LC'],
    ['St. Lucia', 'LC'],
    ['Trinidad and Tobago', 'TT'],
    ['Trinidad & Tobago', 'TT'],
    ['Hong Kong', 'HK'],
    ['Myanmar', 'MM'],
    ['The Netherlands', 'NL'],
    ['Turkey', 'TR'],
    ['Türkiye', 'TR'],
  ])('reads %j as %s', (written, code) => {
    expect(countryOf(written)).toBe(code);
  });

  it.each(['Narnia', 'XX', 'ZZ', '+999', '0', '1234', '', 'India 91'])('knows no country %j', (written) => {
    expect(countryOf(written)).toBeUndefined();
  });
});
