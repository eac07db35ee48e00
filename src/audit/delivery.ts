import type { Log } from '../log.js';
import type { Db } from '../database.js';
import type { ContactsClient } from '../kore/client.js';
import type { CallBudget } from './budget.js';
import { createPoller } from './poller.js';
import { createRecovery } from './recovery.js';
import { claimRequests, hasDueRequests, recordRequest, type NewRequest, type RequestRow } from './requests.js';
import { createSender } from './send.js';
import { createSettler, type DeliveryHooks } from './settle.js';

export interface DeliveryOptions {
  contacts: ContactsClient;
  /** The calls all instances may make; every call is taken from it. */
  budget: CallBudget;
  hooks: DeliveryHooks;
  log: Log;
  /** After this long without an answer, a request is `failed`. */
  deadlineMs: number;
  /** A request in flight longer than this is taken to be lost with its process, and tried again. */
  leaseMs?: number;
  /** Upper bound of the wait between attempts. */
  maxBackoffMs?: number;
  /** How long recording an accepted request may take before it is refused, not recorded (Slack waits 3 s). */
  acceptWithinMs?: number;
  /** The most contacts in one create call. */
  batchSize?: number;
  pollMs?: number;
}

/** The worker that takes recorded requests to the endpoint. */
export interface Delivery {
  /**
   * Records a request accepted from a user, leased to this process for its first attempt — within `acceptWithinMs`,
   * or not at all (`TooSlowError`), so a user told it was not saved is told the truth.
   */
  accept(request: NewRequest): Promise<{ row: RequestRow; isNew: boolean }>;
  /** Sends these requests now (accepted here, or claimed first), without waiting for the next poll. */
  deliverNow(ids: number[]): Promise<void>;
  /** Starts polling for due retries and for requests abandoned by a dead process. */
  start(): void;
  /** Stops polling and waits (up to `graceMs`) for calls in flight. */
  stop(graceMs: number): Promise<void>;
}

/** Sending loops that drain a recovered endpoint's backlog together. */
const RECOVERY_LOOPS = 4;

/** Creates the delivery worker over the audit trail. */
export function createDelivery(db: Db, opts: DeliveryOptions): Delivery {
  const leaseMs = opts.leaseMs ?? 60_000;
  const batchSize = opts.batchSize ?? 50;
  const pollMs = opts.pollMs ?? 1_000;
  const poller = createPoller({ log: opts.log, pollMs, failure: 'delivery failed' });
  const settler = createSettler(db, {
    hooks: opts.hooks,
    log: opts.log,
    deadlineMs: opts.deadlineMs,
    maxBackoffMs: opts.maxBackoffMs ?? 30_000,
    track: poller.track,
  });
  /** Requests `accept` leased to this process and not yet sent. */
  const held = new Map<number, RequestRow>();
  /** Whether this process polls: only a running worker drains the backlog (the CLI sends its one request and exits). */
  let running = false;
  // A recovered endpoint's backlog is sent by several loops at once, so its calls overlap the settling of earlier batches.
  const recovered = createRecovery(db, {
    log: opts.log,
    track: poller.track,
    drain: async () => {
      await Promise.all(Array.from({ length: RECOVERY_LOOPS }, drain));
    },
  });
  const send = createSender({
    contacts: opts.contacts,
    settler,
    budget: opts.budget,
    log: opts.log,
    track: poller.track,
    succeeded: () => {
      if (running && !poller.stopped) recovered();
    },
  });

  /** Set while the worker waits to wake when a call frees. */
  let wake: NodeJS.Timeout | undefined;
  /**
   * Sends what is due, a batch per call, while the budget has calls: a call is taken before its batch is claimed. When
   * the budget is spent and a call frees before the next poll, the worker wakes for it then.
   */
  async function drain(): Promise<void> {
    while (!poller.stopped && (await hasDueRequests(db))) {
      const taken = await opts.budget.take();
      if (!taken.granted) {
        if (running && taken.freeInMs < pollMs && wake === undefined) {
          wake = setTimeout(() => {
            wake = undefined;
            if (!poller.stopped) void poller.track(drain());
          }, taken.freeInMs);
        }
        return;
      }
      const rows = await claimRequests(db, { leaseMs, limit: batchSize });
      if (rows.length === 0) return opts.budget.giveBack(taken.slot);
      await send(rows, taken.slot);
    }
  }

  return {
    async accept(request) {
      const recorded = await recordRequest(db, request, { leaseMs, withinMs: opts.acceptWithinMs ?? 2_000 });
      if (recorded.isNew && recorded.row.leaseUntil) held.set(recorded.row.id, recorded.row);
      return recorded;
    },
    deliverNow(ids) {
      const mine = ids.flatMap((id) => held.get(id) ?? []);
      const others = ids.filter((id) => !held.has(id));
      for (const row of mine) held.delete(row.id);
      const claimed = others.length > 0 ? claimRequests(db, { leaseMs, limit: others.length, ids: others }) : Promise.resolve([]);
      return poller.track(claimed.then((rows) => (mine.length + rows.length > 0 ? send([...mine, ...rows]) : undefined)));
    },
    start() {
      running = true;
      poller.start(drain);
    },
    // Work in flight may start more (a settled request's notice): the poller waits until nothing is left.
    stop(graceMs) {
      clearTimeout(wake);
      return poller.stop(graceMs);
    },
  };
}
