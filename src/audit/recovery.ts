import { and, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { contactRequests, requestEvents } from '../../db/schema.js';
import type { Db } from '../database.js';
import type { Unavailable } from '../kore/outcome.js';
import type { Log } from '../log.js';

/**
 * Whether a request deferred after `outcome` waits only for the endpoint to answer again: it gave no answer, or a 408
 * or 5xx, and named no wait of its own. A wait the endpoint asked for (`Retry-After`, a 429 or any other rate-limit
 * answer) is honest and kept; so is the retry of a success that lacked the contact (the endpoint was up then).
 */
export function waitsForRecovery(outcome: Unavailable): boolean {
  if (outcome.retryAfterMs !== undefined) return false;
  if (outcome.status === undefined) return true;
  return outcome.status === 408 || outcome.status >= 500;
}

/**
 * Makes due now every request that waits only for the endpoint to answer again (its latest retry was scheduled with
 * `untilRecovered`), skipping those an attempt holds; each gets a `retry` event saying why. Returns how many.
 */
export async function makeWaitingDue(db: Db): Promise<number> {
  const t = contactRequests;
  const e = requestEvents;
  return db.transaction(async (tx) => {
    const latestRetry = tx
      .select({ untilRecovered: sql`${e.detail}->>'untilRecovered'` })
      .from(e)
      .where(and(eq(e.requestId, t.id), eq(e.kind, 'retry')))
      .orderBy(desc(e.id))
      .limit(1);
    const waiting = tx
      .select({ id: t.id })
      .from(t)
      .where(and(eq(t.status, 'pending'), isNull(t.leaseUntil), gt(t.nextAttemptAt, sql`now()`), sql`(${latestRetry}) = 'true'`))
      .for('update', { skipLocked: true });
    const due = await tx
      .update(t)
      .set({ nextAttemptAt: sql`now()` })
      .where(inArray(t.id, waiting))
      .returning({ id: t.id, at: t.nextAttemptAt });
    if (due.length > 0) {
      await tx
        .insert(e)
        .values(due.map((row) => ({ requestId: row.id, kind: 'retry', detail: { at: row.at, reason: 'endpoint recovered' } })));
    }
    return due.length;
  });
}

/**
 * What a running worker does when the endpoint answers with success: makes the waiting backlog due (for every
 * instance) and drains it here at once, instead of over the backoff spread. One check at a time; a success during a
 * check asks for one more, so a request deferred meanwhile is not left behind.
 */
export function createRecovery(db: Db, opts: { log: Log; track(work: Promise<void>): Promise<void>; drain(): Promise<void> }) {
  let checking = false;
  let again = false;

  async function check(): Promise<void> {
    do {
      again = false;
      const due = await makeWaitingDue(db);
      if (due > 0) {
        opts.log.info({ requests: due }, 'contacts endpoint answers again: the requests waiting for it are due now');
        void opts.track(opts.drain());
      }
    } while (again);
  }

  return function succeeded(): void {
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    void opts.track(
      check().finally(() => {
        checking = false;
      }),
    );
  };
}
