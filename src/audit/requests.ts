import { and, desc, eq, inArray, isNull, lt, lte, notExists, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { contactRequests, requestEvents, type Reply, type RequestError } from '../../db/schema.js';
import type { Contact } from '../contact/contact.js';
import { transactionWithin, type Db } from '../database.js';
import type { ContactToSend } from '../kore/client.js';
import type { Operation } from '../kore/outcome.js';
import { recordNotices, supersedeQueued } from './notices.js';
import { keepReplyToken } from './reply-tokens.js';

export type RequestRow = typeof contactRequests.$inferSelect;
/** Where a request came from. */
export type Source = RequestRow['source'];
/** Where a request stands: `pending` until it has an outcome. */
export type RequestStatus = RequestRow['status'];

/** A request as accepted from a user, before anything is sent. */
export interface NewRequest {
  idempotencyKey: string;
  teamId?: string;
  userId: string;
  source: Source;
  /** `create` unless it changes the contact `targetContactId` names. */
  operation?: Operation;
  targetContactId?: string;
  contact: Contact;
  /** How the requester is told the outcome. */
  reply: Reply;
  /** What the reply needs to tell the outcome (a workflow step's execution token): kept apart, until it is told. */
  replyToken?: string;
  /** The failed request this one tries again (an earlier attempt of it may have been done, so this one may be too). */
  retryOf?: Pick<RequestRow, 'id' | 'uncertain'>;
}

/**
 * Records a request, its first event and its reply's token; a repeated idempotency key returns the earlier row
 * instead. With `leaseMs`, a new create is recorded already leased for its first attempt, saving a claim before
 * sending (a change is claimed, since it may have to wait for an earlier request for its contact). With `withinMs`,
 * it is recorded within that time or not at all (`TooSlowError`).
 */
export async function recordRequest(
  db: Db,
  request: NewRequest,
  opts: { leaseMs?: number; withinMs?: number } = {},
): Promise<{ row: RequestRow; isNew: boolean }> {
  const { contact, operation = 'create' } = request;
  const leased = opts.leaseMs !== undefined && operation === 'create';
  const transaction = <T>(work: (tx: Db) => Promise<T>) =>
    opts.withinMs === undefined ? db.transaction((tx) => work(tx as unknown as Db)) : transactionWithin(db, opts.withinMs, work);
  return transaction(async (tx) => {
    const [row] = await tx
      .insert(contactRequests)
      .values({
        idempotencyKey: request.idempotencyKey,
        teamId: request.teamId,
        userId: request.userId,
        source: request.source,
        operation,
        targetContactId: request.targetContactId,
        salutation: contact.salutation,
        firstName: contact.firstName,
        lastName: contact.lastName,
        phoneE164: contact.phone.e164,
        countryCode: contact.phone.countryCode,
        nationalNumber: contact.phone.nationalNumber,
        extension: contact.phone.extension,
        reply: request.reply,
        uncertain: request.retryOf?.uncertain ?? false,
        ...(leased ? { attempts: 1, leaseUntil: sql`now() + ${opts.leaseMs} * interval '1 millisecond'` } : {}),
      })
      .onConflictDoNothing({ target: contactRequests.idempotencyKey })
      .returning();
    if (row) {
      await tx
        .insert(requestEvents)
        .values([
          { requestId: row.id, kind: 'recorded', detail: { source: request.source, retryOf: request.retryOf?.id } },
          ...(row.leaseUntil ? [{ requestId: row.id, kind: 'attempt', detail: { attempt: 1, leaseUntil: row.leaseUntil } }] : []),
          ...(request.retryOf ? [{ requestId: request.retryOf.id, kind: 'retried', detail: { by: request.userId, as: row.id } }] : []),
        ]);
      if (request.replyToken) await keepReplyToken(tx, row.id, request.replyToken);
      return { row, isNew: true };
    }
    const [earlier] = await tx.select().from(contactRequests).where(eq(contactRequests.idempotencyKey, request.idempotencyKey));
    return { row: earlier!, isNew: false };
  });
}

/**
 * Leases pending requests that are due (or the given ones) for one attempt each, skipping rows another
 * instance holds, so every attempt is made by exactly one worker. Requests of imports come after all others. A change to a contact waits while an earlier
 * request for that contact is pending, so changes reach the endpoint in the order they were made.
 */
export async function claimRequests(db: Db, opts: { leaseMs: number; limit: number; ids?: number[] }): Promise<RequestRow[]> {
  const t = contactRequests;
  const earlier = alias(contactRequests, 'earlier');
  return db.transaction(async (tx) => {
    const due = tx
      .select({ id: t.id })
      .from(t)
      .where(
        and(
          eq(t.status, 'pending'),
          or(isNull(t.leaseUntil), lt(t.leaseUntil, sql`now()`)),
          opts.ids ? inArray(t.id, opts.ids) : lte(t.nextAttemptAt, sql`now()`),
          notExists(
            tx
              .select({ id: earlier.id })
              .from(earlier)
              .where(and(eq(earlier.targetContactId, t.targetContactId), eq(earlier.status, 'pending'), lt(earlier.id, t.id))),
          ),
        ),
      )
      // A person waiting on one contact goes before the rows of an import, which waits for thousands anyway.
      .orderBy(sql`${t.importId} is not null`, t.nextAttemptAt, t.id)
      .limit(opts.limit)
      .for('update', { skipLocked: true });
    const rows = await tx
      .update(t)
      .set({
        attempts: sql`${t.attempts} + 1`,
        // A lease still set means the last attempt's process died waiting for its answer.
        uncertain: sql`${t.uncertain} or ${t.leaseUntil} is not null`,
        leaseUntil: sql`now() + ${opts.leaseMs} * interval '1 millisecond'`,
      })
      .where(inArray(t.id, due))
      .returning();
    if (rows.length > 0) {
      await tx
        .insert(requestEvents)
        .values(rows.map((r) => ({ requestId: r.id, kind: 'attempt', detail: { attempt: r.attempts, leaseUntil: r.leaseUntil } })));
    }
    return rows;
  });
}

/** Whether any pending request is due and not held by an attempt. */
export async function hasDueRequests(db: Db): Promise<boolean> {
  const t = contactRequests;
  const [row] = await db
    .select({ id: t.id })
    .from(t)
    .where(and(eq(t.status, 'pending'), lte(t.nextAttemptAt, sql`now()`), or(isNull(t.leaseUntil), lt(t.leaseUntil, sql`now()`))))
    .limit(1);
  return row !== undefined;
}

/** A request's final status and what it came to. */
export interface Settlement {
  id: number;
  status: Exclude<RequestStatus, 'pending'>;
  contactId?: string;
  error?: RequestError;
}

/** Gives requests their final status in one transaction; returns those not already settled. */
export async function settleRequests(db: Db, settlements: Settlement[]): Promise<RequestRow[]> {
  if (settlements.length === 0) return [];
  return db.transaction(async (tx) => {
    const settled: RequestRow[] = [];
    for (const { id, ...settlement } of settlements) {
      const [row] = await tx
        .update(contactRequests)
        .set({ ...settlement, leaseUntil: null, settledAt: sql`now()` })
        .where(and(eq(contactRequests.id, id), eq(contactRequests.status, 'pending')))
        .returning();
      if (row) settled.push(row);
    }
    if (settled.length > 0) {
      // Told in the same transaction: a settled request always has its outcome notice waiting to go out.
      await supersedeQueued(
        tx,
        settled.map((row) => row.id),
      );
      const byId = new Map(settlements.map((s) => [s.id, s]));
      await recordNotices(tx, settled, (row) => byId.get(row.id)!.status);
      await tx.insert(requestEvents).values(
        settled.map((row) => {
          const { id: _id, ...detail } = byId.get(row.id)!;
          return { requestId: row.id, kind: 'settled', detail };
        }),
      );
    }
    return settled;
  });
}

/**
 * Releases the lease of the attempt `claimed` made and schedules the next one `delayMs` from now; false when
 * the request was settled or claimed again since (a stalled worker must not undo a newer attempt). With
 * `tellQueued`, the user is to be told the request is queued; with `untilRecovered`, the wait is only for the endpoint
 * to answer again, and ends when it does (recovery.ts).
 */
export async function deferRequest(
  db: Db,
  claimed: Pick<RequestRow, 'id' | 'attempts'>,
  delayMs: number,
  reason: unknown,
  uncertain: boolean,
  tellQueued = false,
  untilRecovered = false,
): Promise<boolean> {
  const t = contactRequests;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(t)
      .set({
        leaseUntil: null,
        nextAttemptAt: sql`now() + ${delayMs} * interval '1 millisecond'`,
        uncertain: sql`${t.uncertain} or ${uncertain}`,
      })
      .where(and(eq(t.id, claimed.id), eq(t.status, 'pending'), eq(t.attempts, claimed.attempts)))
      .returning();
    if (row) {
      await tx.insert(requestEvents).values({
        requestId: claimed.id,
        kind: 'retry',
        detail: { at: row.nextAttemptAt, reason, uncertain, untilRecovered },
      });
      if (tellQueued) await recordNotices(tx, [row], () => 'queued');
    }
    return row !== undefined;
  });
}

/**
 * Releases claimed requests that were not sent because the call budget was spent: no call was made, so the attempt is
 * taken back, and they are due at once (a worker claims them when it holds a call). The user of a request that had
 * not waited before is to be told it is queued. Returns those released (not settled or claimed again since).
 */
export async function awaitBudget(db: Db, claimed: RequestRow[], freeInMs: number): Promise<RequestRow[]> {
  const t = contactRequests;
  return db.transaction(async (tx) => {
    const released: RequestRow[] = [];
    for (const row of claimed) {
      const [updated] = await tx
        .update(t)
        .set({ attempts: sql`${t.attempts} - 1`, leaseUntil: null, nextAttemptAt: sql`now()` })
        .where(and(eq(t.id, row.id), eq(t.status, 'pending'), eq(t.attempts, row.attempts)))
        .returning();
      if (updated) released.push(updated);
    }
    if (released.length > 0) {
      await tx
        .insert(requestEvents)
        .values(
          released.map((row) => ({ requestId: row.id, kind: 'retry', detail: { at: row.nextAttemptAt, waitingFor: 'budget', freeInMs } })),
        );
      const firstWait = new Set(claimed.filter(neverWaited).map((row) => row.id));
      await recordNotices(
        tx,
        released.filter((row) => firstWait.has(row.id)),
        () => 'queued',
      );
    }
    return released;
  });
}

/** Whether a request has not waited yet: its first attempt is the one it was recorded for. */
export function neverWaited(row: Pick<RequestRow, 'nextAttemptAt' | 'createdAt'>): boolean {
  return row.nextAttemptAt.getTime() <= row.createdAt.getTime();
}

/** The most recent requests, newest first; one user's when `userId` is given. */
export async function recentRequests(db: Db, opts: { userId?: string; limit: number }): Promise<RequestRow[]> {
  return db
    .select()
    .from(contactRequests)
    .where(opts.userId ? eq(contactRequests.userId, opts.userId) : undefined)
    .orderBy(desc(contactRequests.id))
    .limit(opts.limit);
}

/** The contact a request carries, as the endpoint is sent it. */
export function requestContact(row: RequestRow): ContactToSend {
  return {
    salutation: row.salutation ?? undefined,
    firstName: row.firstName,
    lastName: row.lastName,
    phone: {
      countryCode: row.countryCode,
      nationalNumber: row.nationalNumber,
      ...(row.extension ? { extension: row.extension } : {}),
    },
  };
}

/** Whether `contact` has the values this request sent: a change to them would change nothing. */
export function sameContact(contact: Contact, row: RequestRow): boolean {
  return (
    (contact.salutation ?? null) === row.salutation &&
    contact.firstName === row.firstName &&
    contact.lastName === row.lastName &&
    contact.phone.e164 === row.phoneE164 &&
    (contact.phone.extension ?? null) === row.extension
  );
}

/** One request by its id. */
export async function findRequest(db: Db, id: number): Promise<RequestRow | undefined> {
  const [row] = await db.select().from(contactRequests).where(eq(contactRequests.id, id));
  return row;
}

/** The requests with these ids, in one query (in no particular order). */
export async function findRequests(db: Db, ids: number[]): Promise<RequestRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(contactRequests).where(inArray(contactRequests.id, ids));
}
