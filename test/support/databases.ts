import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/database.js';

/** A database a test can open: its own, thrown away when it closes. */
export interface TestTarget {
  name: 'pglite' | 'postgres';
  /** Settings that make the app (in-process or a child process) use this database. */
  open(): Promise<TestDatabase>;
}

export interface TestDatabase extends Database {
  /** `DATABASE_URL` or `PGLITE_DIR` for a child process. */
  env: Record<string, string>;
}

/** PGlite always; the real PostgreSQL too when `TEST_DATABASE_URL` is set. */
export function testTargets(): TestTarget[] {
  const targets: TestTarget[] = [{ name: 'pglite', open: openPgliteCopy }];
  const url = process.env.TEST_DATABASE_URL;
  if (url) targets.push({ name: 'postgres', open: () => openPostgresScratch(url) });
  return targets;
}

/** A fresh folder for the embedded database (copied from the run's migrated template). */
export function pgliteFolder(): { dir: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'contact-bot-test-'));
  const dir = join(root, 'pglite');
  cpSync(inject('pgliteTemplate'), dir, { recursive: true });
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

async function openPgliteCopy(): Promise<TestDatabase> {
  const folder = pgliteFolder();
  const database = await openDatabase({ pgliteDir: folder.dir });
  return {
    ...database,
    env: { PGLITE_DIR: folder.dir },
    close: async () => {
      await database.close();
      folder.remove();
    },
  };
}

/** A new database on the server, for this test file alone; dropped on close. */
export async function openPostgresScratch(adminUrl: string): Promise<TestDatabase> {
  const name = `contact_bot_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), pgliteDir: '' });
  return {
    ...database,
    env: { DATABASE_URL: url.toString() },
    close: async () => {
      await database.close();
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
