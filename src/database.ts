import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from '../db/schema.js';
import { lockFolder } from './folder-lock.js';

/** The drizzle handle every query goes through, on PGlite or PostgreSQL alike. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** An open database with its migrations applied. */
export interface Database {
  db: Db;
  /** `pglite` or `postgres`, for logs and health. */
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('../db/migrations', import.meta.url));
/** Any fixed number: instances starting together take turns migrating. */
const MIGRATION_LOCK = 4_127_733;

/** Opens PostgreSQL at `databaseUrl`, or the embedded PGlite in `pgliteDir`, and migrates it. */
export async function openDatabase(opts: { databaseUrl?: string; pgliteDir: string; connectTimeoutMs?: number }): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.connectTimeoutMs) : openPglite(opts.pgliteDir);
}

/** The server cancels a statement that runs longer than this (the connection stays usable)… */
const STATEMENT_TIMEOUT_MS = 5_000;
/** …and a query with no answer at all after this long means the network path is gone: the connection is dropped. */
const QUERY_TIMEOUT_MS = 6_000;

/** A database that does not answer must fail fast: Slack waits 3 s for an answer at most. */
const CONNECT_TIMEOUT_MS = 2_000;

/**
 * `connectTimeoutMs` is for a process whose event loop other work may hold longer than that (the tests run embedded
 * databases beside PostgreSQL in one process); the app keeps the default.
 */
async function openPostgres(url: string, connectTimeoutMs = CONNECT_TIMEOUT_MS): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    // Finds idle connections whose peer is gone (a failed-over server, a NAT that forgot them).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  pool.on('error', () => {}); // an idle client's dropped connection is replaced on next use
  // A client handed back with a query still unanswered (it timed out inside a transaction) sits behind a stalled
  // path: close it rather than queue the next user's queries behind an answer that may never come.
  pool.on('release', (_error, client) => {
    if ((client as unknown as { _getActiveQuery(): unknown })._getActiveQuery()) void client.end();
  });
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
  const db = drizzlePg(pool, { schema });
  // drizzle keeps a pooled connection forever when its `begin` fails (a stalled path: the pool empties for good),
  // so each transaction takes its connection here and always gives it back.
  db.transaction = async (work, config) => {
    const client = await pool.connect();
    try {
      return await drizzlePg(client, { schema }).transaction(work as never, config);
    } finally {
      client.release();
    }
  };
  return { db: db as unknown as Db, kind: 'postgres', close: () => pool.end() };
}

async function openPglite(dir: string): Promise<Database> {
  mkdirSync(dir, { recursive: true });
  // Two processes on one embedded database corrupt it: the folder belongs to one process at a time.
  const release = lockFolder(dir);
  try {
    // The embedded server needs little cache for this workload; the default costs ~120 MB of memory.
    const client = await PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'] });
    const db = drizzlePglite(client, { schema });
    await migratePglite(db, { migrationsFolder });
    return {
      db: db as unknown as Db,
      kind: 'pglite',
      close: () => client.close().finally(release),
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** True when the database answers a trivial query within `withinMs`. */
export async function databaseAnswers(db: Db, withinMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), withinMs)));
  const answered = db.execute(sql`select 1`).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([answered, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A transaction that did not commit in time, and never will. */
export class TooSlowError extends Error {
  constructor(readonly withinMs: number) {
    super(`the database did not commit within ${withinMs} ms; the transaction was rolled back`);
    this.name = 'TooSlowError';
  }
}

/**
 * Runs `work` in a transaction that commits within `withinMs` or not at all, so a caller that must answer in time
 * can say "not saved" and have it stay true. The server cancels any statement slower than that (a lock held
 * elsewhere, a busy server); if the database does not answer at all, the caller gets `TooSlowError` at the deadline
 * and the transaction is rolled back when its statement returns (or its connection is dropped). Only a commit
 * already sent is waited for past the deadline: its outcome cannot be known sooner.
 */
export async function transactionWithin<T>(db: Db, withinMs: number, work: (tx: Db) => Promise<T>): Promise<T> {
  let abandoned = false;
  let committing = false;
  const run = db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('statement_timeout', ${String(withinMs)}, true), set_config('lock_timeout', ${String(withinMs)}, true)`,
    );
    const result = await work(tx as unknown as Db);
    if (abandoned) throw new TooSlowError(withinMs);
    committing = true;
    return result;
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    // A little after the server's own limit, which answers sooner and cleaner when the server is reachable.
    const waitMs = withinMs + 400;
    const due = Date.now() + waitMs;
    let excused = false;
    const expire = () => {
      // Fired late: this process was too busy to read the answers, which may be waiting. That is not the
      // database's fault, so it gets the time back once.
      const lateMs = Date.now() - due;
      if (lateMs > 100 && !excused) {
        excused = true;
        timer = setTimeout(expire, Math.min(lateMs, waitMs));
        return;
      }
      if (committing) return;
      abandoned = true;
      reject(new TooSlowError(withinMs));
    };
    timer = setTimeout(expire, waitMs);
  });
  try {
    return await Promise.race([run, deadline]);
  } finally {
    clearTimeout(timer);
    void run.catch(() => {}); // an abandoned transaction fails later, with nobody waiting for it
  }
}
