import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../src/audit/backoff.js';

describe('backoffMs', () => {
  it('doubles with each attempt, from one second', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, 60_000, undefined, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it('jitters between half and all of the step', () => {
    expect([1, 2, 3].map((n) => backoffMs(n, 60_000, undefined, () => 0))).toEqual([500, 1_000, 2_000]);
    expect(backoffMs(3, 60_000, undefined, () => 0.5)).toBe(3_000);
  });

  it('is capped', () => {
    expect(backoffMs(10, 30_000, undefined, () => 1)).toBe(30_000);
    expect(backoffMs(10, 30_000, undefined, () => 0)).toBe(15_000);
    expect(backoffMs(5_000, 30_000, undefined, () => 1)).toBe(30_000);
  });

  it('waits at least what Retry-After asked, even beyond the cap', () => {
    expect(backoffMs(1, 30_000, 45_000, () => 1)).toBe(45_000);
    expect(backoffMs(3, 30_000, 100, () => 0)).toBe(2_000);
  });
});
