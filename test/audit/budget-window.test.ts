import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { waitForCalls } from '../../src/audit/budget.js';

const W = 60_000;
const at = (now: number, ...agesMs: number[]) => agesMs.map((age) => now - age);

describe('waitForCalls', () => {
  const now = 1_000_000;

  it('is 0 while the window has room', () => {
    expect(waitForCalls(at(now, 10_000, 5_000), { limit: 3, windowMs: W, now }, 1)).toBe(0);
  });

  it('is when the oldest call leaves the window once it is full', () => {
    expect(waitForCalls(at(now, 50_000, 20_000, 5_000), { limit: 3, windowMs: W, now }, 1)).toBe(10_000);
    expect(waitForCalls(at(now, 50_000, 20_000, 5_000), { limit: 3, windowMs: W, now }, 3)).toBe(55_000);
  });

  it('counts whole windows for calls beyond the limit: the calls made then hold the window again', () => {
    // Three free now, then each of them frees a window later.
    expect(waitForCalls([], { limit: 3, windowMs: W, now }, 4)).toBe(W);
    expect(waitForCalls(at(now, 50_000, 20_000, 5_000), { limit: 3, windowMs: W, now }, 4)).toBe(10_000 + W);
  });

  it('ignores calls already out of the window, and the oldest of more calls than the limit (a limit lowered)', () => {
    expect(waitForCalls(at(now, 70_000, 30_000), { limit: 2, windowMs: W, now }, 1)).toBe(0);
    expect(waitForCalls(at(now, 50_000, 40_000, 30_000), { limit: 2, windowMs: W, now }, 1)).toBe(20_000);
  });

  it('never decreases as more calls are asked for, and never passes a window per limit calls', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: W - 1 }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 40 }),
        (ages, limit, n) => {
          const calls = at(now, ...ages).sort((a, b) => a - b);
          const wait = waitForCalls(calls, { limit, windowMs: W, now }, n);
          expect(wait).toBeGreaterThanOrEqual(waitForCalls(calls, { limit, windowMs: W, now }, Math.max(1, n - 1)));
          expect(wait).toBeLessThanOrEqual(Math.ceil(n / limit) * W);
        },
      ),
    );
  });
});
