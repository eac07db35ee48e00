import type { Log } from '../log.js';

/** What the background workers share: work in flight, tracked so a stop can wait for it, and a poll. */
export interface Poller {
  /** Runs `work` as tracked: its failure is logged, and `stop` waits for it. */
  track(work: Promise<void>): Promise<void>;
  readonly stopped: boolean;
  /** Runs `tick` now, then `pollMs` after each run ends, until stopped. */
  start(tick: () => Promise<void>): void;
  /** Stops polling and waits (up to `graceMs`) for work in flight, including work it starts meanwhile. */
  stop(graceMs: number): Promise<void>;
}

export function createPoller(opts: { log: Log; pollMs: number; failure: string }): Poller {
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function track(work: Promise<void>): Promise<void> {
    const tracked = work.catch((error) => opts.log.error({ err: error }, opts.failure));
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
    return tracked;
  }

  return {
    track,
    get stopped() {
      return stopped;
    },
    start(tick) {
      stopped = false;
      const next = () => {
        if (!stopped) timer = setTimeout(() => void track(tick()).finally(next), opts.pollMs);
      };
      void track(tick()).finally(next);
    },
    async stop(graceMs) {
      stopped = true;
      clearTimeout(timer);
      const until = Date.now() + graceMs;
      while (inFlight.size > 0 && Date.now() < until) {
        await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, until - Date.now()).unref())]);
      }
    },
  };
}
