import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/database.js';

/** Everything the bench creates is removed by `cleanUp()`, also after a failure or Ctrl-C. */
const cleanups: (() => Promise<void> | void)[] = [];

export function onCleanUp(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (error) {
      process.stderr.write(`bench: clean-up step failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

let root: string | undefined;

/** The bench's own temporary folder (PGlite folders, nothing else). */
export function benchTmp(): string {
  if (!root) {
    const dir = mkdtempSync(join(tmpdir(), 'contact-bot-bench-'));
    root = dir;
    onCleanUp(() => rmSync(dir, { recursive: true, force: true }));
  }
  return root;
}

/** A place a database lives: what the product is given, and how the bench opens it itself. */
export interface Place {
  kind: 'pglite' | 'postgres';
  env: { PGLITE_DIR: string } | { DATABASE_URL: string };
  open(): Promise<Database>;
}

let template: string | undefined;
let folders = 0;

/** A migrated PGlite folder, built once per run; every PGlite place is a copy of it (as the tests do). */
export async function pgliteTemplate(): Promise<string> {
  if (!template) {
    const dir = join(benchTmp(), 'template');
    const database = await openDatabase({ pgliteDir: dir });
    await database.close();
    template = dir;
  }
  return template;
}

export async function pglitePlace(): Promise<Place> {
  folders += 1;
  const dir = join(benchTmp(), `pglite-${folders}`);
  cpSync(await pgliteTemplate(), dir, { recursive: true });
  return { kind: 'pglite', env: { PGLITE_DIR: dir }, open: () => openDatabase({ pgliteDir: dir }) };
}

async function adminQuery(url: string, statement: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(statement)).rows;
  } finally {
    await client.end();
  }
}

/** A new database on the server at `adminUrl`, dropped at clean-up. */
export async function postgresPlace(adminUrl: string): Promise<Place> {
  const name = `contact_bot_bench_${randomBytes(5).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  onCleanUp(() => adminQuery(adminUrl, `drop database if exists ${name} with (force)`).then(() => undefined));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return { kind: 'postgres', env: { DATABASE_URL: databaseUrl }, open: () => openDatabase({ databaseUrl, pgliteDir: '' }) };
}

export async function postgresVersion(adminUrl: string): Promise<string> {
  const [row] = (await adminQuery(adminUrl, 'show server_version')) as { server_version: string }[];
  return row?.server_version ?? 'unknown';
}

/** A plain `pg` client on a place's database, for polling (PostgreSQL only). */
export async function pgClient(place: Place): Promise<pg.Client> {
  if (!('DATABASE_URL' in place.env)) throw new Error('pgClient needs a PostgreSQL place');
  const client = new pg.Client({ connectionString: place.env.DATABASE_URL });
  await client.connect();
  return client;
}

/** Transactions committed so far in a PostgreSQL place's database (from pg_stat_database). */
export async function pgCommits(place: Place): Promise<number> {
  const client = await pgClient(place);
  try {
    const { rows } = await client.query<{ n: string }>('select xact_commit as n from pg_stat_database where datname = current_database()');
    return Number(rows[0]?.n ?? Number.NaN);
  } finally {
    await client.end();
  }
}
