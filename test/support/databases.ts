import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/database.js';

/** A place for a database of this test's own: `DATABASE_URL` or `PGLITE_DIR`, removed afterwards. */
export interface Scratch {
  env: { DATABASE_URL: string } | { PGLITE_DIR: string };
  remove(): Promise<void>;
}

/** An open scratch database. */
export type TestDatabase = Database & { env: Scratch['env'] };

/** A kind of database the tests run against. */
export interface TestTarget {
  name: 'pglite' | 'postgres';
  /** A new, empty, migrated-on-open database location. */
  scratch(): Promise<Scratch>;
  /** A new database, opened and migrated; removed when it closes. */
  open(): Promise<TestDatabase>;
}

/** PGlite always; the real PostgreSQL too when `TEST_DATABASE_URL` is set. */
export function testTargets(): TestTarget[] {
  const targets: TestTarget[] = [target('pglite', pgliteScratch)];
  const url = process.env.TEST_DATABASE_URL;
  if (url) targets.push(target('postgres', () => postgresScratch(url)));
  return targets;
}

/**
 * Test files open PGlite and PostgreSQL side by side; the embedded one can hold this process's event loop for longer
 * than the app's 2 s connect timeout, which then fires before the connection's answer is read.
 */
const TEST_CONNECT_TIMEOUT_MS = 20_000;

/** The PostgreSQL database at `databaseUrl`, opened from a test process. */
export function openTestPostgres(databaseUrl: string): Promise<Database> {
  return openDatabase({ databaseUrl, pgliteDir: '', connectTimeoutMs: TEST_CONNECT_TIMEOUT_MS });
}

/** The database at a scratch place, opened from the test process (an embedded one only while no app holds it). */
export function openScratch(place: Scratch): Promise<Database> {
  return 'DATABASE_URL' in place.env ? openTestPostgres(place.env.DATABASE_URL) : openDatabase({ pgliteDir: place.env.PGLITE_DIR });
}

function target(name: TestTarget['name'], scratch: () => Promise<Scratch>): TestTarget {
  return {
    name,
    scratch,
    async open() {
      const place = await scratch();
      const database = await openDatabase({
        ...settings(place),
        pgliteDir: 'PGLITE_DIR' in place.env ? place.env.PGLITE_DIR : '',
        connectTimeoutMs: TEST_CONNECT_TIMEOUT_MS,
      });
      return {
        ...database,
        env: place.env,
        close: async () => {
          await database.close();
          await place.remove();
        },
      };
    },
  };
}

function settings(place: Scratch): { databaseUrl?: string } {
  return 'DATABASE_URL' in place.env ? { databaseUrl: place.env.DATABASE_URL } : {};
}

/** A copy of the run's migrated PGlite template in a temporary folder. */
export function pgliteFolder(): { dir: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'contact-bot-test-'));
  const dir = join(root, 'pglite');
  cpSync(inject('pgliteTemplate'), dir, { recursive: true });
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

async function pgliteScratch(): Promise<Scratch> {
  const folder = pgliteFolder();
  return { env: { PGLITE_DIR: folder.dir }, remove: async () => folder.remove() };
}

/** A new database on the server, dropped on removal. */
async function postgresScratch(adminUrl: string): Promise<Scratch> {
  const name = `contact_bot_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    remove: () => adminQuery(adminUrl, `drop database if exists ${name} with (force)`),
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
