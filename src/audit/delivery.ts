import type { Logger } from '@slack/bolt';
import type { Db } from '../database.js';
import type { CreateContacts } from '../kore/client.js';
import type { Outcome } from '../kore/outcome.js';
import { claimRequests, deferRequest, requestContact, settleRequest, type RequestRow } from './requests.js';

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
  /** Contacts sent in one call by the background worker. */
  batchSize?: number;
  pollMs?: number;
}

/** The worker that takes recorded requests to the endpoint. */
export interface Delivery {
  /** Sends these just-recorded requests now, without waiting for the next poll. */
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
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function track(work: Promise<void>): Promise<void> {
    const tracked = work.catch((error) => opts.log.error({ err: error }, 'delivery failed'));
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
    return tracked;
  }

  async function settle(row: RequestRow, outcome: Outcome): Promise<void> {
    const status = outcome.kind === 'unavailable' ? 'failed' : outcome.kind;
    const settled = await settleRequest(db, row.id, {
      status,
      ...(outcome.kind === 'created'
        ? { contactId: outcome.contacts[0]?.id }
        : { error: { ...outcome, ...(outcome.kind === 'duplicate' && row.attempts > 1 ? { afterUncertainAttempt: true } : {}) } }),
    });
    if (!settled) return;
    const fields = { request: row.id, status, phone: row.phoneE164, attempts: row.attempts };
    if (status === 'unauthorized') opts.log.error({ ...fields, why: outcome }, 'the contacts endpoint refused our credentials: check the KORE_* settings');
    else opts.log.info(fields, 'request settled');
    await opts.hooks.onSettled(settled);
  }

  async function retryOrFail(row: RequestRow, outcome: Extract<Outcome, { kind: 'unavailable' }>): Promise<void> {
    const wait = backoffMs(row.attempts, maxBackoffMs, outcome.retryAfterMs);
    if (Date.now() + wait > row.createdAt.getTime() + opts.deadlineMs) return settle(row, outcome);
    if (!(await deferRequest(db, row, wait, outcome))) return;
    opts.log.warn({ request: row.id, attempt: row.attempts, waitMs: Math.round(wait), why: outcome.messages }, 'endpoint unavailable, will retry');
    const deferredBefore = row.nextAttemptAt.getTime() > row.createdAt.getTime();
    if (!deferredBefore) await opts.hooks.onQueued(row, outcome);
  }

  /** One call for the batch; a batch the endpoint refuses as a whole is split until each refusal is isolated. */
  async function send(rows: RequestRow[]): Promise<void> {
    const outcome = await opts.createContacts(rows.map(requestContact));
    if (outcome.kind === 'created') {
      await Promise.all(rows.map((row, i) => settle(row, { ...outcome, contacts: [matchCreated(outcome, row, i)] })));
    } else if (rows.length > 1 && (outcome.kind === 'duplicate' || outcome.kind === 'rejected')) {
      const half = Math.ceil(rows.length / 2);
      await send(rows.slice(0, half));
      await send(rows.slice(half));
    } else if (outcome.kind === 'unavailable') {
      await Promise.all(rows.map((row) => retryOrFail(row, outcome)));
    } else {
      await Promise.all(rows.map((row) => settle(row, outcome)));
    }
  }

  async function drain(): Promise<void> {
    while (!stopped) {
      const rows = await claimRequests(db, { leaseMs, limit: batchSize });
      if (rows.length === 0) return;
      await send(rows);
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => void track(drain()).finally(schedule), pollMs);
  }

  return {
    async deliverNow(ids) {
      const rows = await claimRequests(db, { leaseMs, limit: ids.length, ids });
      if (rows.length > 0) await track(send(rows));
    },
    start() {
      stopped = false;
      void track(drain()).finally(schedule);
    },
    async stop(graceMs) {
      stopped = true;
      clearTimeout(timer);
      await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, graceMs).unref())]);
    },
  };
}

function matchCreated(outcome: Extract<Outcome, { kind: 'created' }>, row: RequestRow, index: number) {
  return outcome.contacts.find((c) => c.phoneNumber === row.phoneE164) ?? outcome.contacts[index] ?? outcome.contacts[0]!;
}
