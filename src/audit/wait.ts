import { and, desc, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { contactRequests, requestEvents } from '../../db/schema.js';
import type { Db } from '../database.js';
import type { CallBudget } from './budget.js';

/**
 * Why a pending request waits, as its latest retry says: the endpoint gave no answer, the vendor said the account's
 * rate limit is spent (`inMs` until it allows the next try), or our own call budget had no call for it (`inMs` until the
 * call that sends it, with `ahead` requests to be sent before it).
 */
export type Wait = { why: 'no-answer' } | { why: 'rate-limit'; inMs: number } | { why: 'budget'; inMs: number; ahead: number };

/** How long a wait for the budget lasts: the calls all instances may make, and how many contacts a call carries. */
export interface BudgetPace {
  budget: CallBudget;
  batchSize: number;
}

/** Why the request `requestId` waits and, where it can be told, for about how long. */
export async function readWait(db: Db, requestId: number, pace: BudgetPace): Promise<Wait> {
  const e = requestEvents;
  const [retry] = await db
    .select({
      waitingFor: sql<string | null>`${e.detail}->>'waitingFor'`,
      rateLimited: sql<boolean>`coalesce(${e.detail}->'reason'->>'rateLimited', '') = 'true'`,
      // The database's clock, which set the time of the next try.
      inMs: sql<number>`greatest(0, extract(epoch from (${e.detail}->>'at')::timestamptz - now()) * 1000)::float8`,
    })
    .from(e)
    .where(and(eq(e.requestId, requestId), eq(e.kind, 'retry')))
    .orderBy(desc(e.id))
    .limit(1);
  if (retry?.waitingFor === 'budget') {
    const ahead = await requestsAhead(db, requestId);
    return { why: 'budget', inMs: await pace.budget.waitFor(callsUntilSent(ahead, pace.batchSize)), ahead };
  }
  if (retry?.rateLimited) return { why: 'rate-limit', inMs: retry.inMs };
  return { why: 'no-answer' };
}

/**
 * How many pending requests a worker will claim before this one (not a row of an import, which all come after it):
 * those due earlier, or at the same time and recorded before it (claims go by the time a request is due), not counting
 * those being sent right now.
 */
export async function requestsAhead(db: Db, requestId: number): Promise<number> {
  const t = contactRequests;
  const mine = alias(contactRequests, 'mine');
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(t)
    .innerJoin(mine, eq(mine.id, requestId))
    .where(
      and(
        eq(t.status, 'pending'),
        isNull(t.importId),
        // The bound alone lets the partial index of due requests find them; the tie is broken by id.
        lte(t.nextAttemptAt, mine.nextAttemptAt),
        or(lt(t.nextAttemptAt, mine.nextAttemptAt), lt(t.id, requestId)),
        or(isNull(t.leaseUntil), lt(t.leaseUntil, sql`now()`)),
      ),
    );
  return row?.n ?? 0;
}

/** Which call from now sends a request with `ahead` requests before it, when each call carries `batchSize` of them. */
export function callsUntilSent(ahead: number, batchSize: number): number {
  return Math.floor(ahead / batchSize) + 1;
}
