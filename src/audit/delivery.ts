import type { Logger } from '@slack/bolt';
import type { Db } from '../database.js';
import type { CreateContacts } from '../kore/client.js';
import { mayHaveArrived, type Outcome, type Unavailable } from '../kore/outcome.js';
import { createPoller } from './poller.js';
import {
  claimRequests,
  deferRequest,
  recordRequest,
  requestContact,
  settleRequests,
  type NewRequest,
  type RequestRow,
} from './requests.js';

/** What the delivery tells the rest of the app. */
export interface DeliveryHooks {
  /** The first attempt met an unavailable endpoint: the request waits for a retry. */
  onQueued(row: RequestRow, outcome: Outcome): Promise<void>;
  /** The request has its final status (called once per request, by the instance that settled it). */
  onSettled(row: RequestRow): Promise<void>;
}

export interface DeliveryOptions {
  createContacts: CreateContacts;
  hooks: DeliveryHooks;
  log: Logger;
  /** After this long without an answer, a request is `failed`. */
  deadlineMs: number;
  /** A request in flight longer than this is taken to be lost with its process, and tried again. */
  leaseMs?: number;
  /** Upper bound of the wait between attempts. */
  maxBackoffMs?: number;
  /** How long recording an accepted request may take before it is refused, not recorded (Slack waits 3 s). */
  acceptWithinMs?: number;
  /** Contacts sent in one call by the background worker. */
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

/** Exponential backoff with jitter, at least what `Retry-After` asked for. */
export function backoffMs(attempt: number, maxMs: number, retryAfterMs?: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, 1000 * 2 ** Math.max(0, attempt - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** Creates the delivery worker over the audit trail. */
export function createDelivery(db: Db, opts: DeliveryOptions): Delivery {
  const leaseMs = opts.leaseMs ?? 60_000;
  const maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  const batchSize = opts.batchSize ?? 50;
  const pollMs = opts.pollMs ?? 1_000;
  const poller = createPoller({ log: opts.log, pollMs, failure: 'delivery failed' });
  const track = poller.track;
  /** Requests `accept` leased to this process and not yet sent. */
  const held = new Map<number, RequestRow>();

  /** Records final outcomes together, then tells each user (which must not hold up other deliveries). */
  async function settle(outcomes: { row: RequestRow; outcome: Outcome }[]): Promise<void> {
    const settled = await settleRequests(
      db,
      outcomes.map(({ row, outcome }) => ({
        id: row.id,
        status: outcome.kind === 'unavailable' ? 'failed' : outcome.kind,
        ...(outcome.kind === 'created'
          ? { contactId: outcome.contacts[0]?.id }
          : { error: { ...outcome, ...(outcome.kind === 'duplicate' && row.uncertain ? { afterUncertainAttempt: true } : {}) } }),
      })),
    );
    for (const row of settled) {
      const fields = { request: row.id, status: row.status, phone: row.phoneE164, attempts: row.attempts };
      if (row.status === 'unauthorized') opts.log.error({ ...fields, why: row.error }, 'the contacts endpoint refused our credentials: check the KORE_* settings');
      else opts.log.info(fields, 'request settled');
      void track(opts.hooks.onSettled(row));
    }
  }

  async function retryOrFail(row: RequestRow, outcome: Unavailable): Promise<void> {
    const wait = backoffMs(row.attempts, maxBackoffMs, outcome.retryAfterMs);
    if (Date.now() + wait > row.createdAt.getTime() + opts.deadlineMs) return settle([{ row, outcome }]);
    const firstDeferral = row.nextAttemptAt.getTime() <= row.createdAt.getTime();
    if (!(await deferRequest(db, row, wait, outcome, mayHaveArrived(outcome), firstDeferral))) return;
    opts.log.warn({ request: row.id, attempt: row.attempts, waitMs: Math.round(wait), why: outcome.messages }, 'endpoint unavailable, will retry');
    if (firstDeferral) void track(opts.hooks.onQueued(row, outcome));
  }

  /** One call for the batch; a batch the endpoint refuses as a whole is split until each refusal is isolated. */
  async function send(rows: RequestRow[]): Promise<void> {
    const started = Date.now();
    const outcome = await opts.createContacts(rows.map(requestContact));
    opts.log.debug(
      { requests: rows.map((r) => r.id), phones: rows.map((r) => r.phoneE164), outcome: outcome.kind, status: outcome.status, ms: Date.now() - started },
      'contacts endpoint answered',
    );
    if (outcome.kind === 'created') {
      const missing: Unavailable = { kind: 'unavailable', status: outcome.status, messages: ['The endpoint answered without this contact.'] };
      const matched = rows.map((row) => ({
        row,
        created: rows.length === 1 ? outcome.contacts[0] : outcome.contacts.find((c) => c.phoneNumber === row.phoneE164),
      }));
      await Promise.all([
        settle(matched.flatMap(({ row, created }) => (created ? [{ row, outcome: { ...outcome, contacts: [created] } }] : []))),
        ...matched.filter(({ created }) => !created).map(({ row }) => retryOrFail(row, missing)),
      ]);
    } else if (rows.length > 1 && (outcome.kind === 'duplicate' || outcome.kind === 'rejected')) {
      const half = Math.ceil(rows.length / 2);
      await send(rows.slice(0, half));
      await send(rows.slice(half));
    } else if (outcome.kind === 'unavailable') {
      await Promise.all(rows.map((row) => retryOrFail(row, outcome)));
    } else {
      await settle(rows.map((row) => ({ row, outcome })));
    }
  }

  async function drain(): Promise<void> {
    while (!poller.stopped) {
      const rows = await claimRequests(db, { leaseMs, limit: batchSize });
      if (rows.length === 0) return;
      await send(rows);
    }
  }

  return {
    async accept(request) {
      const recorded = await recordRequest(db, request, { leaseMs, withinMs: opts.acceptWithinMs ?? 2_000 });
      if (recorded.isNew) held.set(recorded.row.id, recorded.row);
      return recorded;
    },
    deliverNow(ids) {
      const mine = ids.flatMap((id) => held.get(id) ?? []);
      const others = ids.filter((id) => !held.has(id));
      for (const row of mine) held.delete(row.id);
      const claimed = others.length > 0 ? claimRequests(db, { leaseMs, limit: others.length, ids: others }) : Promise.resolve([]);
      return track(claimed.then((rows) => (mine.length + rows.length > 0 ? send([...mine, ...rows]) : undefined)));
    },
    start: () => poller.start(drain),
    // Work in flight may start more (a settled request's notice): the poller waits until nothing is left.
    stop: (graceMs) => poller.stop(graceMs),
  };
}
