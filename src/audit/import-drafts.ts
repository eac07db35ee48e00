import { randomUUID } from 'node:crypto';
import { and, desc, eq, lt, notInArray, sql } from 'drizzle-orm';
import { contactRequests, imports, requestEvents, type NotImported, type Reply } from '../../db/schema.js';
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

/** A user's previews open at once, at most: each may hold a few MB of rows, so one user cannot fill the database. */
export const DRAFTS_PER_USER = 3;

/**
 * Keeps a file's rows as a draft; returns its key, the only thing the preview modal holds. The user's drafts older
 * than their newest `DRAFTS_PER_USER` are dropped (their previews then say they are no longer open).
 */
export async function saveDraft(db: Db, draft: NewDraft): Promise<string> {
  const id = randomUUID();
  const i = imports;
  await db.transaction(async (tx) => {
    await tx.insert(i).values({
      id,
      teamId: draft.teamId,
      userId: draft.userId,
      fileName: draft.fileName,
      draft: draft.rows,
      ignoredColumns: draft.ignoredColumns,
      country: draft.country,
    });
    const kept = tx
      .select({ id: i.id })
      .from(i)
      .where(and(eq(i.userId, draft.userId), eq(i.status, 'draft')))
      .orderBy(desc(i.createdAt), desc(i.id))
      .limit(DRAFTS_PER_USER);
    await tx.delete(i).where(and(eq(i.userId, draft.userId), eq(i.status, 'draft'), notInArray(i.id, kept)));
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
    await recordImportRequests(tx, submission);
    return { kind: 'recorded', record };
  });
}

/**
 * Each ready row of an import as a request with its `recorded` event, in one statement: the rows go as one JSON
 * parameter, which costs a fraction of binding 15 parameters a row for thousands of rows.
 */
async function recordImportRequests(tx: Db, { importId, teamId, userId, preview }: ImportSubmission): Promise<void> {
  const rows = preview.ready.map(({ line, contact }) => ({
    line,
    salutation: contact.salutation ?? null,
    first_name: contact.firstName,
    last_name: contact.lastName,
    e164: contact.phone.e164,
    country_code: contact.phone.countryCode,
    national_number: contact.phone.nationalNumber,
    extension: contact.phone.extension ?? null,
  }));
  const reply: Reply = { kind: 'import' };
  const t = contactRequests;
  await tx.execute(sql`
    with recorded as (
      insert into ${t} (${sql.identifier(t.idempotencyKey.name)}, ${sql.identifier(t.teamId.name)}, ${sql.identifier(t.userId.name)},
        ${sql.identifier(t.source.name)}, ${sql.identifier(t.importId.name)}, ${sql.identifier(t.importLine.name)},
        ${sql.identifier(t.salutation.name)}, ${sql.identifier(t.firstName.name)}, ${sql.identifier(t.lastName.name)},
        ${sql.identifier(t.phoneE164.name)}, ${sql.identifier(t.countryCode.name)}, ${sql.identifier(t.nationalNumber.name)},
        ${sql.identifier(t.extension.name)}, ${sql.identifier(t.reply.name)})
      select 'import:' || ${importId}::text || ':' || r.line, ${teamId ?? null}::text, ${userId}::text, 'import', ${importId}::text, r.line,
        r.salutation, r.first_name, r.last_name, r.e164, r.country_code, r.national_number, r.extension, ${JSON.stringify(reply)}::jsonb
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(line int, salutation text, first_name text, last_name text,
        e164 text, country_code text, national_number text, extension text)
      order by r.line
      returning ${sql.identifier(t.id.name)} as id
    )
    insert into ${requestEvents} (${sql.identifier(requestEvents.requestId.name)}, ${sql.identifier(requestEvents.kind.name)}, ${sql.identifier(requestEvents.detail.name)})
    select id, 'recorded', ${JSON.stringify({ source: 'import', importId })}::jsonb from recorded`);
}
