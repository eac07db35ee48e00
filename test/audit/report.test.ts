import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../src/audit/report.js';

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
