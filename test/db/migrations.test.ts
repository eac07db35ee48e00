import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { contactRequests } from '../../db/schema.js';

const migrations = fileURLToPath(new URL('../../db/migrations', import.meta.url));

/** The migrations folder as it stood before `tag`: its journal cut off there. */
function migrationsBefore(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  cpSync(migrations, dir, { recursive: true });
  const journalFile = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.slice(
    0,
    journal.entries.findIndex((e) => e.tag === tag),
  );
  writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

describe('migration 0003_operations', () => {
  const older = migrationsBefore('0003_operations');
  const pg = new PGlite();
  afterAll(async () => {
    await pg.close();
    rmSync(older, { recursive: true, force: true });
  });

  it('gives requests recorded before it a reply kind and the create operation', async () => {
    const db = drizzle(pg);
    await migrate(db, { migrationsFolder: older });
    await pg.exec(`
      insert into contact_requests (idempotency_key, user_id, source, first_name, last_name, phone_e164, country_code, national_number, reply)
      values ('from-the-modal', 'U1', 'slash', 'Asha', 'Rao', '+919876543210', '+91', '9876543210', '{"viewId":"V123"}'),
             ('from-the-cli', 'cli:me', 'cli', 'Arjun', 'Mehta', '+919876543211', '+91', '9876543211', null)`);
    await migrate(db, { migrationsFolder: migrations });
    const rows = await db.select().from(contactRequests).orderBy(contactRequests.id);
    expect(rows.map((r) => [r.idempotencyKey, r.reply, r.operation, r.targetContactId])).toEqual([
      ['from-the-modal', { kind: 'modal', viewId: 'V123' }, 'create', null],
      ['from-the-cli', { kind: 'cli' }, 'create', null],
    ]);
  });
});
