import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactRequests, imports, requestEvents } from '../../db/schema.js';
import { dropOldDrafts, findDraft, saveDraft, submitImport } from '../../src/audit/import-drafts.js';
import { claimRequests, recordRequest } from '../../src/audit/requests.js';
import { requestsAhead } from '../../src/audit/wait.js';
import type { ImportRow } from '../../src/contact/import-file.js';
import { previewImport } from '../../src/contact/import-preview.js';
import { testTargets, type TestDatabase } from '../support/databases.js';

const ROWS: ImportRow[] = [
  { line: 2, input: { firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' } },
  { line: 3, input: { firstName: 'John', lastName: 'Smith', phone: '(415) 555-0100' } },
  { line: 4, input: { firstName: 'Ana', lastName: 'López', phone: '12' } },
  { line: 5, input: { firstName: 'Johnny', lastName: 'Smith', phone: '415 555 0100' } },
];

describe.each(testTargets())('import drafts and their submit on $name', (target) => {
  let database: TestDatabase;
  const db = () => database.db;

  async function draft(userId = 'U1', rows = ROWS): Promise<string> {
    return saveDraft(db(), { userId, fileName: 'leads.csv', rows, ignoredColumns: ['Company'], country: 'US' });
  }

  async function submit(importId: string, userId = 'U1', rows = ROWS) {
    return submitImport(db(), { importId, userId, country: 'US', preview: await previewImport(rows, 'US'), rows }, 5_000);
  }

  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('keeps a draft for its user only, with nothing recorded as a request', async () => {
    const key = await draft();
    expect((await findDraft(db(), key, 'U1'))?.draft).toEqual(ROWS);
    expect(await findDraft(db(), key, 'U2')).toBeUndefined();
    const [counted] = await db().select({ n: sql<number>`count(*)::int` }).from(contactRequests).where(eq(contactRequests.importId, key));
    expect(counted?.n).toBe(0);
  });

  it('keeps a user’s 3 newest drafts, so no one fills the database with previews', async () => {
    const others = await draft('U8');
    const keys: string[] = [];
    for (let i = 0; i < 4; i++) keys.push(await draft('U9'));
    expect(await findDraft(db(), keys[0]!, 'U9')).toBeUndefined();
    for (const key of keys.slice(1)) expect(await findDraft(db(), key, 'U9')).toBeDefined();
    expect(await findDraft(db(), others, 'U8')).toBeDefined();
  });

  it('records each ready row as a request of the import, with its line and event, and keeps the rest for the report', async () => {
    const key = await draft();
    const submitted = await submit(key);
    expect(submitted.kind).toBe('recorded');
    const rows = await db().select().from(contactRequests).where(eq(contactRequests.importId, key)).orderBy(contactRequests.importLine);
    expect(rows.map((r) => [r.importLine, r.phoneE164, r.source, r.status, r.idempotencyKey])).toEqual([
      [2, '+919988776655', 'import', 'pending', `import:${key}:2`],
      [3, '+14155550100', 'import', 'pending', `import:${key}:3`],
    ]);
    const events = await db()
      .select({ kind: requestEvents.kind })
      .from(requestEvents)
      .where(
        sql`${requestEvents.requestId} in (${sql.join(
          rows.map((r) => sql`${r.id}`),
          sql`, `,
        )})`,
      );
    expect(events.map((e) => e.kind)).toEqual(['recorded', 'recorded']);
    const [record] = await db().select().from(imports).where(eq(imports.id, key));
    expect(record).toMatchObject({ status: 'running', draft: null, requests: 2 });
    expect(record?.notImported?.map((r) => [r.line, r.input.firstName, r.reason])).toEqual([
      [4, 'Ana', expect.stringMatching(/^Phone number/)],
      [5, 'Johnny', 'Repeats the number on line 3, which is imported instead.'],
    ]);
  });

  it('takes a second submit as the first, and another user’s as gone', async () => {
    const key = await draft();
    expect((await submit(key, 'U2')).kind).toBe('gone');
    expect((await submit(key)).kind).toBe('recorded');
    expect((await submit(key)).kind).toBe('again');
    const [counted] = await db().select({ n: sql<number>`count(*)::int` }).from(contactRequests).where(eq(contactRequests.importId, key));
    expect(counted?.n).toBe(2);
  });

  it('sends a person’s own request before the rows of an import recorded earlier, and counts none of them ahead of it', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({
      line: i + 2,
      input: { firstName: 'Lead', lastName: `Number${i}`, phone: `+1 415 555 ${String(2000 + i)}` },
    }));
    const key = await draft('U1', rows);
    await submit(key, 'U1', rows);
    const { contact } = (await previewImport([{ line: 1, input: { firstName: 'Mei', lastName: 'Chen', phone: '+65 8123 4567' } }], 'US'))
      .ready[0]!;
    const { row: mine } = await recordRequest(db(), {
      idempotencyKey: `priority-${Math.random()}`,
      userId: 'U2',
      source: 'slash',
      reply: { kind: 'dm' },
      contact,
    });
    expect(await requestsAhead(db(), mine.id)).toBe(0);
    const [first] = await claimRequests(db(), { leaseMs: 60_000, limit: 1 });
    expect(first?.id).toBe(mine.id);
    const next = await claimRequests(db(), { leaseMs: 60_000, limit: 5 });
    expect(next.every((r) => r.importId !== null)).toBe(true);
  });

  it('drops drafts not submitted within a day, and never a submitted import', async () => {
    const stale = await draft();
    const submitted = await draft();
    await submit(submitted);
    await db().update(imports).set({ createdAt: sql`now() - interval '25 hours'` }).where(sql`${imports.id} in (${stale}, ${submitted})`);
    expect(await dropOldDrafts(db())).toBe(1);
    expect(await findDraft(db(), stale, 'U1')).toBeUndefined();
    const [kept] = await db().select().from(imports).where(eq(imports.id, submitted));
    expect(kept?.status).toBe('running');
  });
});
