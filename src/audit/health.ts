import { desc, eq, sql } from 'drizzle-orm';
import { callBudget, contactRequests, endpointErrorEvent, requestEvents } from '../../db/schema.js';
import type { Db } from '../database.js';

/** How the delivery is doing, on every instance together: what waits, and the call budget's last minute. */
export interface DeliveryHealth {
  /** Requests recorded and still waiting for their outcome (pending). */
  waitingRequests: number;
  /** Seconds the oldest waiting request has waited since it was recorded; 0 when none waits. */
  oldestWaitSeconds: number;
  /** Calls to the contacts API in the last 60 s (`KORE_RATE_LIMIT_PER_MIN` caps them). */
  budgetCallsLastMinute: number;
}

/** One small query, answered from the pending requests alone (the partial index on them) and the budget's row. */
export async function readDeliveryHealth(db: Db): Promise<DeliveryHealth> {
  const [figures] = await db
    .select({
      waitingRequests: sql<number>`count(*)::int`,
      oldestWaitSeconds: sql<number>`coalesce(extract(epoch from now() - min(${contactRequests.createdAt})), 0)::float8`,
      budgetCallsLastMinute: sql<number>`(select coalesce(sum((select count(*) from unnest(${callBudget.calls}) c where c > now() - interval '60 seconds')), 0)::int from ${callBudget})`,
    })
    .from(contactRequests)
    .where(eq(contactRequests.status, 'pending'));
  return figures!;
}

/** What the contacts endpoint last did wrong: no answer (a retry, or a request failed for it) or refused credentials. */
export interface EndpointError {
  at: Date;
  /** The HTTP status, when there was an answer. */
  status?: number;
  messages: string[];
}

/** The endpoint's latest error in the audit trail, if any. */
export async function lastEndpointError(db: Db): Promise<EndpointError | undefined> {
  const [row] = await latestEndpointErrors(db);
  if (!row) return undefined;
  const { status, messages } = row.error ?? {};
  return {
    at: row.at,
    ...(typeof status === 'number' ? { status } : {}),
    messages: Array.isArray(messages) ? messages.filter((m): m is string => typeof m === 'string') : [],
  };
}

/** The query of `lastEndpointError` (to await, or to EXPLAIN): one read of a partial index of such events, newest first. */
export function latestEndpointErrors(db: Db) {
  const e = requestEvents;
  return db
    .select({
      at: e.at,
      error: sql<{ status?: unknown; messages?: unknown } | null>`coalesce(${e.detail}->'reason', ${e.detail}->'error')`,
    })
    .from(e)
    .where(endpointErrorEvent(e))
    .orderBy(desc(e.id))
    .limit(1);
}
