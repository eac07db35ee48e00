import { and, asc, desc, eq, exists, getTableColumns, inArray, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { contactRequests, imports, requestEvents, type NotImported } from '../../db/schema.js';
import type { Db } from '../database.js';
import type { ImportRecord } from './import-drafts.js';
import { statusInWords } from './report.js';
import type { RequestRow, RequestStatus } from './requests.js';
import { callsUntilSent, type BudgetPace } from './wait.js';

/** How many of an import's requests stand at each status (a status none has is missing). */
export type ImportCounts = Partial<Record<RequestStatus, number>>;

/** An import's requests counted by status: one pass over its entries in an index. */
export async function importCounts(db: Db, importId: string): Promise<ImportCounts> {
  const t = contactRequests;
  const rows = await db
    .select({ status: t.status, n: sql<number>`count(*)::int` })
    .from(t)
    .where(eq(t.importId, importId))
    .groupBy(t.status);
  return Object.fromEntries(rows.map(({ status, n }) => [status, n]));
}

/**
 * An import as its progress is followed: without its draft and the rows it did not import, which only the report reads;
 * how many those are is counted in the database (`notImportedCount`).
 */
export type ImportProgress = Omit<ImportRecord, 'draft' | 'notImported'> & { notImportedCount: number };
const { draft: _draft, notImported: _notImported, ...columns } = getTableColumns(imports);
const progressColumns = {
  ...columns,
  notImportedCount: sql<number>`coalesce(jsonb_array_length(${imports.notImported}), 0)::int`.as('not_imported_count'),
};

/**
 * Leases running imports whose progress message is due another look — never shown, or shown at least `everyMs` ago by
 * the database's clock — so one instance at a time edits each, and none more often than that. They are taken in turn,
 * the one looked at longest ago first (a look ends its lease at that moment): imports whose figures stand still, left
 * as they were shown, would otherwise take the first `limit` places at every poll, and the others' messages would
 * freeze.
 */
export async function claimImportsDue(db: Db, opts: { leaseMs: number; everyMs: number; limit: number }): Promise<ImportProgress[]> {
  const i = imports;
  return db.transaction(async (tx) => {
    const due = tx
      .select({ id: i.id })
      .from(i)
      .where(
        and(
          eq(i.status, 'running'),
          or(isNull(i.leaseUntil), lt(i.leaseUntil, sql`now()`)),
          or(isNull(i.shownAt), lte(i.shownAt, sql`now() - ${opts.everyMs} * interval '1 millisecond'`)),
        ),
      )
      .orderBy(sql`${i.leaseUntil} nulls first`, sql`${i.shownAt} nulls first`)
      .limit(opts.limit)
      .for('update', { skipLocked: true });
    return tx
      .update(i)
      .set({ leaseUntil: sql`now() + ${opts.leaseMs} * interval '1 millisecond'` })
      .where(inArray(i.id, due))
      .returning(progressColumns);
  });
}

/** Where the progress message is and what it shows now; `done` when it is the final summary. */
export interface Shown {
  channel: string;
  ts: string;
  counts: ImportCounts;
  done?: boolean;
}

/** The progress message was posted or edited (`shown`), or looked at and left as it was (no `shown`): the lease ends now. */
export async function importShown(db: Db, importId: string, shown?: Shown): Promise<void> {
  await db
    .update(imports)
    .set({
      leaseUntil: sql`now()`,
      ...(shown
        ? {
            channel: shown.channel,
            ts: shown.ts,
            shown: shown.counts,
            shownAt: sql`now()`,
            ...(shown.done ? { status: 'done' as const, finishedAt: sql`now()` } : {}),
          }
        : {}),
    })
    .where(eq(imports.id, importId));
}

/**
 * The progress message could not be shown (Slack refused or did not answer): the lease ends in `retryInMs` — at once
 * for the next poll, or when a rate limit says — and the next look tries again.
 */
export async function importNotShown(db: Db, importId: string, retryInMs: number): Promise<void> {
  await db
    .update(imports)
    .set({ leaseUntil: sql`now() + ${Math.round(Math.max(0, retryInMs))} * interval '1 millisecond'` })
    .where(eq(imports.id, importId));
}

/**
 * About how long until the last of an import's waiting rows is sent: the budget's wait for the call that carries it,
 * behind every request claimed before it — everyone's own contacts, then imports' rows due before it — or its own
 * retry's time when that is later. Undefined when none waits.
 */
export async function importTimeLeft(db: Db, importId: string, pace: BudgetPace): Promise<number | undefined> {
  const t = contactRequests;
  const [last] = await db
    .select({ id: t.id, dueInMs: sql<number>`greatest(0, extract(epoch from ${t.nextAttemptAt} - now()) * 1000)::float8` })
    .from(t)
    .where(and(eq(t.importId, importId), eq(t.status, 'pending')))
    .orderBy(desc(t.nextAttemptAt), desc(t.id))
    .limit(1);
  if (!last) return undefined;
  const mine = alias(contactRequests, 'mine');
  // Claims go by (a row of an import, when due, id): those not being sent now that come before this row.
  const [ahead] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(t)
    .innerJoin(mine, eq(mine.id, last.id))
    .where(
      and(
        eq(t.status, 'pending'),
        or(isNull(t.leaseUntil), lt(t.leaseUntil, sql`now()`)),
        or(isNull(t.importId), sql`(${t.nextAttemptAt}, ${t.id}) < (${mine.nextAttemptAt}, ${mine.id})`),
      ),
    );
  return Math.max(last.dueInMs, await pace.budget.waitFor(callsUntilSent(ahead?.n ?? 0, pace.batchSize)));
}

/** One import by id, as its progress is followed. */
export async function findImport(db: Db, importId: string): Promise<ImportProgress | undefined> {
  const [row] = await db.select(progressColumns).from(imports).where(eq(imports.id, importId));
  return row;
}

/**
 * Cancels what is left of an import: its requests not being sent right now are settled `cancelled`, each with its
 * event; those in flight keep their outcome. Returns how many were cancelled, or undefined when no row was waiting any
 * more (every one sent, or cancelled before): the import is then not marked cancelled.
 */
export async function cancelImport(db: Db, importId: string, by: string): Promise<number | undefined> {
  const t = contactRequests;
  return db.transaction(async (tx) => {
    const [running] = await tx
      .update(imports)
      .set({ cancelledBy: by, cancelledAt: sql`now()` })
      .where(
        and(
          eq(imports.id, importId),
          eq(imports.status, 'running'),
          isNull(imports.cancelledAt),
          exists(
            tx
              .select({ id: t.id })
              .from(t)
              .where(and(eq(t.importId, importId), eq(t.status, 'pending'))),
          ),
        ),
      )
      .returning({ id: imports.id });
    if (!running) return undefined;
    const cancelled = await tx
      .update(t)
      .set({ status: 'cancelled', leaseUntil: null, settledAt: sql`now()` })
      .where(and(eq(t.importId, importId), eq(t.status, 'pending'), or(isNull(t.leaseUntil), lt(t.leaseUntil, sql`now()`))))
      .returning({ id: t.id });
    if (cancelled.length > 0) {
      await tx
        .insert(requestEvents)
        .values(cancelled.map(({ id }) => ({ requestId: id, kind: 'settled', detail: { status: 'cancelled', by } })));
    }
    return cancelled.length;
  });
}

/** Every row of an import that did not become a contact, in file order: those not imported, and requests not created. */
export async function notCreated(db: Db, importId: string): Promise<NotImported[]> {
  const [record] = await db.select({ notImported: imports.notImported }).from(imports).where(eq(imports.id, importId));
  const t = contactRequests;
  const requests: RequestRow[] = await db
    .select()
    .from(t)
    .where(and(eq(t.importId, importId), ne(t.status, 'created')))
    .orderBy(asc(t.importLine));
  const fromRequests = requests.map((row) => ({
    line: row.importLine ?? 0,
    input: {
      ...(row.salutation ? { salutation: row.salutation } : {}),
      firstName: row.firstName,
      lastName: row.lastName,
      phone: row.phoneE164,
      ...(row.extension ? { extension: row.extension } : {}),
    },
    reason: [statusInWords(row), ...(row.error?.messages ?? [])].join(': '),
  }));
  return [...(record?.notImported ?? []), ...fromRequests].sort((a, b) => a.line - b.line);
}

/** A user's most recent imports (submitted ones), newest first. */
export async function recentImports(db: Db, userId: string, limit: number): Promise<ImportProgress[]> {
  return db
    .select(progressColumns)
    .from(imports)
    .where(and(eq(imports.userId, userId), ne(imports.status, 'draft')))
    .orderBy(desc(imports.createdAt))
    .limit(limit);
}

/**
 * An import whose message or report Slack still refuses a day after its submit is given up (done, as it stands): its
 * rows were delivered all the same, and the audit trail has every outcome.
 */
export async function importGivenUp(db: Db, importId: string): Promise<void> {
  await db.update(imports).set({ status: 'done', leaseUntil: null, finishedAt: sql`now()` }).where(eq(imports.id, importId));
}
