import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aheadOfYours, formatNumber, inAbout } from '../../src/audit/report.js';

describe('formatNumber', () => {
  it('writes stored UK and Indian numbers grouped as in their own country', () => {
    expect(formatNumber({ phoneE164: '+447400123456', extension: null })).toBe('+44 7400 123456');
    expect(formatNumber({ phoneE164: '+919876543210', extension: '12' })).toBe('+91 98765 43210 ext. 12');
    expect(formatNumber({ phoneE164: '+914423456789', extension: null })).toBe('+91 44 2345 6789');
  });

  // Reports are written long after a number was checked: the numbering metadata may have moved on since.
  it('formats a stored number by its own country code without checking it again', () => {
    expect(formatNumber({ phoneE164: '+912012345678', extension: null })).toBe('+91 20 1234 5678');
  });
});

describe('inAbout', () => {
  it('says a wait as a person would', () => {
    expect(inAbout(-500)).toBe('in less than a minute');
    expect(inAbout(0)).toBe('in less than a minute');
    expect(inAbout(14_999)).toBe('in less than a minute');
    expect(inAbout(15_000)).toBe('in about 20 s');
    expect(inAbout(38_000)).toBe('in about 40 s');
    expect(inAbout(61_000)).toBe('in about 60 s');
    expect(inAbout(89_000)).toBe('in about 90 s');
    expect(inAbout(90_000)).toBe('in about 2 min');
    expect(inAbout(170_000)).toBe('in about 3 min');
    expect(inAbout(89 * 60_000)).toBe('in about 89 min');
    expect(inAbout(90 * 60_000)).toBe('in about 2 h');
  });

  /** What `inAbout` said, back in milliseconds ("less than a minute" as 0). */
  function stated(text: string): number {
    if (text === 'in less than a minute') return 0;
    const [, amount, unit] = /^in about (\d+) (s|min|h)$/.exec(text) ?? [];
    expect(unit, text).toBeDefined();
    return Number(amount) * { s: 1_000, min: 60_000, h: 3_600_000 }[unit as 's' | 'min' | 'h'];
  }

  it('is within a third of the wait from 15 s on, and never says a longer wait is shorter', () => {
    const wait = fc.integer({ min: 0, max: 48 * 3_600_000 });
    fc.assert(
      fc.property(wait, (ms) => {
        if (ms >= 15_000) expect(Math.abs(stated(inAbout(ms)) - ms)).toBeLessThanOrEqual(ms / 3);
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(wait, wait, (a, b) => {
        const [shorter, longer] = a <= b ? [a, b] : [b, a];
        expect(stated(inAbout(shorter))).toBeLessThanOrEqual(stated(inAbout(longer)));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('aheadOfYours', () => {
  it('counts the contacts ahead in words', () => {
    expect(aheadOfYours(0)).toBe('yours is next');
    expect(aheadOfYours(1)).toBe('1 contact is ahead of yours');
    expect(aheadOfYours(120)).toBe('120 contacts are ahead of yours');
    expect(aheadOfYours(4_500)).toBe('4,500 contacts are ahead of yours');
  });
});
