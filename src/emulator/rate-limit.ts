/** The vendor's limit on one account's calls: at most `calls` in any rolling `windowMs`. */
export interface CallWindow {
  /** Counts a call now, or refuses it: undefined when it is allowed, else how long until a call frees (ms). */
  take(account: string): number | undefined;
}

/**
 * Every call allowed counts, whatever its answer; a refused call does not (it was not served), so the wait a refusal
 * names is when the oldest counted call leaves the window. At most `calls` times are kept per account.
 */
export function callWindow(opts: { calls: number; windowMs: number; now: () => number }): CallWindow {
  const made = new Map<string, number[]>();
  return {
    take(account) {
      const now = opts.now();
      const times = made.get(account) ?? [];
      while (times.length > 0 && times[0]! <= now - opts.windowMs) times.shift();
      if (times.length >= opts.calls) return times[0]! + opts.windowMs - now;
      times.push(now);
      made.set(account, times);
      return undefined;
    },
  };
}
