import { randomUUID } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import { contactRequests, imports, requestEvents, type NotImported } from '../../db/schema.js';
import type { ImportRow } from '../contact/import-file.js';
import type { ImportPreview } from '../contact/import-preview.js';
import { transactionWithin, type Db } from '../database.js';

export type ImportRecord = typeof imports.$inferSelect;

/** A file read for an import, kept while its preview is open: nothing is a request before the submit. */
export interface NewDraft {
  teamId?: string;
  userId: string;
  fileName: string;
  rows: ImportRow[];
  /** The file's columns that were not read. */
  ignoredColumns: string[];
  country: string;
}

/** Keeps a file's rows as a draft; returns its key, the only thing the preview modal holds. */
export async function saveDraft(db: Db, draft: NewDraft): Promise<string> {
  const id = randomUUID();
  await db.insert(imports).values({
    id,
    teamId: draft.teamId,
    userId: draft.userId,
    fileName: draft.fileName,
    draft: draft.rows,
    ignoredColumns: draft.ignoredColumns,
    country: draft.country,
  });
  return id;
}

/** The draft `id` of `userId` (no one else's), while it is one: not yet submitted, nor dropped. */
export async function findDraft(db: Db, id: string, userId: string): Promise<ImportRecord | undefined> {
  const [row] = await db
    .select()
    .from(imports)
    .where(and(eq(imports.id, id), eq(imports.userId, userId), eq(imports.status, 'draft')));
  return row;
}

/** A draft not submitted within a day is dropped: the user closed the preview, or never came back. */
export async function dropOldDrafts(db: Db, maxAgeMs = 24 * 60 * 60_000): Promise<number> {
  const dropped = await db
    .delete(imports)
    .where(and(eq(imports.status, 'draft'), lt(imports.createdAt, sql`now() - ${maxAgeMs} * interval '1 millisecond'`)))
    .returning({ id: imports.id });
  return dropped.length;
}

/** What the submit of a previewed draft is to record. */
export interface ImportSubmission {
  importId: string;
  userId: string;
  teamId?: string;
  /** The country the user chose for numbers written without `+`. */
  country: string;
  preview: ImportPreview;
  /** The rows as read, for the values of those that are not imported. */
  rows: ImportRow[];
}

/** What a submit came to: recorded now, already recorded by an earlier submit of the same draft, or no such draft. */
export type SubmittedImport = { kind: 'recorded' | 'again'; record: ImportRecord } | { kind: 'gone' };

/** Rows per insert statement: PostgreSQL takes at most 65,535 parameters in one, and a request has 15. */
const ROWS_PER_INSERT = 1_000;

/**
 * Turns a draft into requests (source `import`), all in one transaction within `withinMs` (else `TooSlowError`, and
 * nothing is recorded): each ready row, its `recorded` event, and the import's rows that were not imported.
 */
export async function submitImport(db: Db, submission: ImportSubmission, withinMs: number): Promise<SubmittedImport> {
  const { importId, preview } = submission;
  const byLine = new Map(submission.rows.map((row) => [row.line, row]));
  const notImported: NotImported[] = [
    ...preview.invalid.map(({ line, reason }) => ({ line, input: byLine.get(line)?.input ?? {}, reason })),
    ...preview.repeated.map(({ line, firstLine }) => ({
      line,
      input: byLine.get(line)?.input ?? {},
      reason: `Repeats the number on line ${firstLine}, which is imported instead.`,
    })),
  ].sort((a, b) => a.line - b.line);
  return transactionWithin(db, withinMs, async (tx) => {
    const [record] = await tx
      .update(imports)
      .set({
        status: 'running',
        draft: null,
        country: submission.country,
        notImported,
        requests: preview.ready.length,
        submittedAt: sql`now()`,
      })
      .where(and(eq(imports.id, importId), eq(imports.userId, submission.userId), eq(imports.status, 'draft')))
      .returning();
    if (!record) {
      const [earlier] = await tx
        .select()
        .from(imports)
        .where(and(eq(imports.id, importId), eq(imports.userId, submission.userId)));
      return earlier ? { kind: 'again', record: earlier } : { kind: 'gone' };
    }
    for (let from = 0; from < preview.ready.length; from += ROWS_PER_INSERT) {
      const ids = await tx
        .insert(contactRequests)
        .values(
          preview.ready.slice(from, from + ROWS_PER_INSERT).map(({ line, contact }) => ({
            idempotencyKey: `import:${importId}:${line}`,
            teamId: submission.teamId,
            userId: submission.userId,
            source: 'import' as const,
            importId,
            importLine: line,
            salutation: contact.salutation,
            firstName: contact.firstName,
            lastName: contact.lastName,
            phoneE164: contact.phone.e164,
            countryCode: contact.phone.countryCode,
            nationalNumber: contact.phone.nationalNumber,
            extension: contact.phone.extension,
            reply: { kind: 'import' as const },
          })),
        )
        .returning({ id: contactRequests.id });
      await tx
        .insert(requestEvents)
        .values(ids.map(({ id }) => ({ requestId: id, kind: 'recorded', detail: { source: 'import', importId } })));
    }
    return { kind: 'recorded', record };
  });
}
