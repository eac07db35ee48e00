import type { Log } from '../log.js';
import type { Db } from '../database.js';
import { mayHaveArrived, type Outcome, type Unavailable } from '../kore/outcome.js';
import { backoffMs } from './backoff.js';
import { waitsForRecovery } from './recovery.js';
import { awaitBudget, deferRequest, neverWaited, settleRequests, type RequestRow, type Settlement } from './requests.js';

/** What the delivery tells the rest of the app. */
export interface DeliveryHooks {
  /** The first attempt met an unavailable endpoint, or found no call in the budget: the request waits. */
  onQueued(row: RequestRow): Promise<void>;
  /** The request has its final status (called once per request, by the instance that settled it). */
  onSettled(row: RequestRow): Promise<void>;
}

/** What an answered attempt leads to: the request's final status, or another attempt. */
export interface Settler {
  /** Records final outcomes together, then tells each user (which must not hold up other deliveries). */
  settle(outcomes: { row: RequestRow; outcome: Outcome }[]): Promise<void>;
  /** Schedules another attempt after a backoff, or fails the request when that would pass its deadline. */
  retryOrFail(row: RequestRow, outcome: Unavailable): Promise<void>;
  /** The call budget had no call for these claimed requests (one frees in `freeInMs`): they wait for one. */
  waitForBudget(rows: RequestRow[], freeInMs: number): Promise<void>;
}

export interface SettlerOptions {
  hooks: DeliveryHooks;
  log: Log;
  deadlineMs: number;
  maxBackoffMs: number;
  /** Runs the hooks as the worker's tracked work, so a stop waits for them. */
  track(work: Promise<void>): Promise<void>;
}

export function createSettler(db: Db, opts: SettlerOptions): Settler {
  async function settle(outcomes: { row: RequestRow; outcome: Outcome }[]): Promise<void> {
    const settled = await settleRequests(
      db,
      outcomes.map(({ row, outcome }) => settlement(row, outcome)),
    );
    for (const row of settled) {
      const fields = { request: row.id, status: row.status, phone: row.phoneE164, attempts: row.attempts };
      if (row.status === 'unauthorized')
        opts.log.error({ ...fields, why: row.error }, 'the contacts endpoint refused our credentials: check the KORE_* settings');
      else opts.log.info(fields, 'request settled');
      void opts.track(opts.hooks.onSettled(row));
    }
  }

  async function retryOrFail(row: RequestRow, outcome: Unavailable): Promise<void> {
    const wait = backoffMs(row.attempts, opts.maxBackoffMs, outcome.retryAfterMs);
    if (Date.now() + wait > row.createdAt.getTime() + opts.deadlineMs) return settle([{ row, outcome }]);
    const firstDeferral = neverWaited(row);
    if (!(await deferRequest(db, row, wait, outcome, mayHaveArrived(outcome), firstDeferral, waitsForRecovery(outcome)))) return;
    opts.log.warn(
      { request: row.id, attempt: row.attempts, waitMs: Math.round(wait), why: outcome.messages },
      'endpoint unavailable, will retry',
    );
    if (firstDeferral) void opts.track(opts.hooks.onQueued(row));
  }

  async function waitForBudget(rows: RequestRow[], freeInMs: number): Promise<void> {
    const released = await awaitBudget(db, rows, freeInMs);
    if (released.length === 0) return;
    opts.log.info({ requests: released.map((row) => row.id), freeInMs }, 'call budget spent: waiting for a call');
    const first = new Set(rows.filter(neverWaited).map((row) => row.id));
    for (const row of released) if (first.has(row.id)) void opts.track(opts.hooks.onQueued(row));
  }

  return { settle, retryOrFail, waitForBudget };
}

/** The final status an outcome gives a request, with the contact id or what went wrong. */
function settlement(row: RequestRow, outcome: Outcome): Settlement {
  switch (outcome.kind) {
    case 'created':
      return { id: row.id, status: 'created', contactId: outcome.contacts[0]?.id };
    case 'updated':
    case 'deleted':
      return { id: row.id, status: outcome.kind, contactId: outcome.contact.id };
    case 'unavailable':
      return { id: row.id, status: 'failed', error: outcome };
    case 'duplicate':
      return { id: row.id, status: 'duplicate', error: row.uncertain ? { ...outcome, afterUncertainAttempt: true } : outcome };
    default:
      return { id: row.id, status: outcome.kind, error: outcome };
  }
}
