import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { contactRequests, notices, requestEvents } from '../../db/schema.js';
import type { Db } from '../database.js';
import { forgetReplyTokens } from './reply-tokens.js';
import type { RequestRow } from './requests.js';

/** Something a user is still to be told about a request, until it is delivered or given up. */
export type NoticeRow = typeof notices.$inferSelect;
/** What a notice tells: that the request is queued, or its outcome. */
export type NoticeWhat = NoticeRow['what'];

/**
 * Records, inside the transaction that made the change, that the people behind these requests are to be told `what`
 * (once: a notice already recorded stays as it is). The CLI tells its user itself, and an import's rows are told
 * together by its progress message, so their requests have none.
 */
export async function recordNotices(tx: Db, rows: RequestRow[], what: (row: RequestRow) => NoticeWhat): Promise<void> {
  const told = rows.filter((row) => row.reply.kind !== 'cli' && row.reply.kind !== 'import');
  if (told.length === 0) return;
  await tx
    .insert(notices)
    .values(told.map((row) => ({ requestId: row.id, what: what(row) })))
    .onConflictDoNothing();
}

/** The outcome makes a "queued" notice that has not got through yet pointless: it is not sent any more. */
export async function supersedeQueued(tx: Db, requestIds: number[]): Promise<void> {
  if (requestIds.length === 0) return;
  const n = notices;
  await tx
    .update(n)
    .set({ state: 'superseded', closedAt: sql`now()` })
    .where(
      and(
        inArray(n.requestId, requestIds),
        eq(n.what, 'queued'),
        eq(n.state, 'waiting'),
        or(isNull(n.leaseUntil), lt(n.leaseUntil, sql`now()`)),
      ),
    );
}

/** Leases waiting notices that are due (of these requests only, when given), skipping those another worker holds. */
export async function claimNotices(db: Db, opts: { leaseMs: number; limit: number; requestIds?: number[] }): Promise<NoticeRow[]> {
  const n = notices;
  return db.transaction(async (tx) => {
    const due = tx
      .select({ id: n.id })
      .from(n)
      .where(
        and(
          eq(n.state, 'waiting'),
          or(isNull(n.leaseUntil), lt(n.leaseUntil, sql`now()`)),
          lte(n.nextAttemptAt, sql`now()`),
          opts.requestIds ? inArray(n.requestId, opts.requestIds) : undefined,
        ),
      )
      .orderBy(n.id)
      .limit(opts.limit)
      .for('update', { skipLocked: true });
    return tx
      .update(n)
      .set({ attempts: sql`${n.attempts} + 1`, leaseUntil: sql`now() + ${opts.leaseMs} * interval '1 millisecond'` })
      .where(inArray(n.id, due))
      .returning();
  });
}

/** A notice that got through, with what its send returned for the audit trail (a DM's channel and ts). */
export interface DeliveredNotice {
  notice: NoticeRow;
  detail: Record<string, unknown>;
}

/**
 * These notices got through: closed, and the audit trail says each user was told, in one transaction. A notice
 * another worker closed meanwhile stays as it was left, but its `notified` event is still written: the DM was sent,
 * and a later delete must find it.
 */
export async function noticesDelivered(db: Db, delivered: DeliveredNotice[]): Promise<void> {
  if (delivered.length === 0) return;
  const closed = delivered.map(({ notice }) => notice);
  const ids = closed.map((notice) => notice.id);
  const events = delivered.map(({ notice, detail }) => ({
    requestId: notice.requestId,
    kind: 'notified' as const,
    detail: { what: notice.what, ...detail },
  }));
  const n = notices;
  await db.transaction(async (tx) => {
    await tx
      .update(n)
      .set({ state: 'delivered', leaseUntil: null, closedAt: sql`now()` })
      .where(and(inArray(n.id, ids), eq(n.state, 'waiting')));
    await tx.insert(requestEvents).values(events);
    await forgetTokensOfOutcomes(tx, closed);
  });
}

/** An outcome notice closed is the reply's last use of its token (a `queued` one is not). */
async function forgetTokensOfOutcomes(tx: Db, closed: NoticeRow[]): Promise<void> {
  await forgetReplyTokens(
    tx,
    closed.filter((n) => n.what !== 'queued').map((n) => n.requestId),
  );
}

/** The notice did not get through: tried again `delayMs` from now, and the failure is in the audit trail. */
export async function noticeFailed(db: Db, notice: NoticeRow, delayMs: number, error: string): Promise<void> {
  const n = notices;
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(n)
      .set({ leaseUntil: null, nextAttemptAt: sql`now() + ${delayMs} * interval '1 millisecond'` })
      .where(and(eq(n.id, notice.id), eq(n.state, 'waiting'), eq(n.attempts, notice.attempts)))
      .returning({ nextAttemptAt: n.nextAttemptAt });
    await tx.insert(requestEvents).values({
      requestId: notice.requestId,
      kind: 'notify_failed',
      detail: { what: notice.what, attempt: notice.attempts, error, ...(row ? { retryAt: row.nextAttemptAt } : {}) },
    });
  });
}

/** Slack refused the notice for good (`user_not_found`, `invalid_blocks`…): given up at once, and the trail says why. */
export async function noticeRefused(db: Db, notice: NoticeRow, error: string): Promise<void> {
  const n = notices;
  await db.transaction(async (tx) => {
    await tx
      .update(n)
      .set({ state: 'refused', leaseUntil: null, closedAt: sql`now()` })
      .where(and(eq(n.id, notice.id), eq(n.state, 'waiting'), eq(n.attempts, notice.attempts)));
    await tx
      .insert(requestEvents)
      .values({ requestId: notice.requestId, kind: 'notify_refused', detail: { what: notice.what, attempt: notice.attempts, error } });
    await forgetTokensOfOutcomes(tx, [notice]);
  });
}

/** Gives up the notices not delivered within `maxAgeMs` of being recorded (and not being sent right now). */
export async function expireNotices(db: Db, maxAgeMs: number): Promise<NoticeRow[]> {
  const n = notices;
  return db.transaction(async (tx) => {
    const expired = await tx
      .update(n)
      .set({ state: 'expired', closedAt: sql`now()` })
      .where(
        and(
          eq(n.state, 'waiting'),
          lt(n.createdAt, sql`now() - ${maxAgeMs} * interval '1 millisecond'`),
          or(isNull(n.leaseUntil), lt(n.leaseUntil, sql`now()`)),
        ),
      )
      .returning();
    if (expired.length > 0) {
      await tx
        .insert(requestEvents)
        .values(expired.map((e) => ({ requestId: e.requestId, kind: 'notify_expired', detail: { what: e.what, attempts: e.attempts } })));
      await forgetTokensOfOutcomes(tx, expired);
    }
    return expired;
  });
}

/** A message that told a user a request's outcome, where the channel's history holds it. */
export interface OutcomeMessage {
  request: RequestRow;
  channel: string;
  ts: string;
}

/**
 * The messages that told the outcomes which made contact `contactId` what it was (its create and its updates), as
 * their `notified` events recorded them: what a delete marks as deleted.
 */
export async function outcomeMessages(db: Db, contactId: string): Promise<OutcomeMessage[]> {
  const r = contactRequests;
  const e = requestEvents;
  const told = await db
    .select({ request: r, detail: e.detail })
    .from(r)
    .innerJoin(e, and(eq(e.requestId, r.id), eq(e.kind, 'notified')))
    .where(and(eq(r.contactId, contactId), inArray(r.status, ['created', 'updated'])))
    .orderBy(asc(e.id));
  return told.flatMap(({ request, detail }) => {
    const { what, channel, ts } = (detail ?? {}) as { what?: unknown; channel?: unknown; ts?: unknown };
    return what === request.status && typeof channel === 'string' && typeof ts === 'string' ? [{ request, channel, ts }] : [];
  });
}
