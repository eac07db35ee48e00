import { asc, eq, inArray, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notices, replyTokens, requestEvents } from '../../db/schema.js';
import type { NoticeRow } from '../../src/audit/notices.js';
import { createOutbox, NoticeNotSent, type OutboxOptions } from '../../src/audit/outbox.js';
import { claimRequests, deferRequest, recordRequest, settleRequests, type RequestRow } from '../../src/audit/requests.js';
import type { Db } from '../../src/database.js';
import { createLogger } from '../../src/log.js';
import { contact, freshIndianNumber } from '../kore/loopback.js';
import { openScratch, testTargets, type TestDatabase } from '../support/databases.js';
import { eventually } from '../support/eventually.js';

let keys = 0;
async function settled(db: Db, source: RequestRow['source'] = 'slash'): Promise<RequestRow> {
  keys += 1;
  const person = contact({ firstName: 'Notice', lastName: `Person${keys}`, phone: freshIndianNumber() });
  const { row } = await recordRequest(db, {
    idempotencyKey: `outbox-${keys}-${Math.random()}`,
    userId: `UOUT${keys}`,
    source,
    reply: source === 'cli' ? { kind: 'cli' } : { kind: 'modal', viewId: `V-outbox-${keys}` },
    contact: person,
  });
  const [done] = await settleRequests(db, [{ id: row.id, status: 'created', contactId: `c-${keys}` }]);
  return done!;
}

/** `n` workflow-step requests, recorded with their reply tokens and settled together, as one batch of contacts is. */
async function settledTogether(db: Db, n: number): Promise<RequestRow[]> {
  const rows = [];
  for (let i = 0; i < n; i++) {
    keys += 1;
    const person = contact({ firstName: 'Batch', lastName: `Person${keys}`, phone: freshIndianNumber() });
    const { row } = await recordRequest(db, {
      idempotencyKey: `outbox-batch-${keys}-${Math.random()}`,
      userId: `UBATCH${keys}`,
      source: 'workflow',
      reply: { kind: 'function', executionId: `Fx-${keys}` },
      replyToken: `xwfp-${keys}`,
      contact: person,
    });
    rows.push(row);
  }
  return settleRequests(
    db,
    rows.map((row) => ({ id: row.id, status: 'created', contactId: `c-batch-${row.id}` })),
  );
}

/** What a DM's send returns for the trail: where the message is, so a later delete finds it. */
const dmOf = (notice: NoticeRow) => ({ channel: `D-${notice.requestId}`, ts: `${notice.id}.000100` });

/**
 * Transactions committed in a PostgreSQL database so far, read once no other session is on it: a session's counts
 * reach pg_stat_database by its end at the latest, and one that is gone from pg_stat_activity has ended.
 */
async function commitsOnceAlone(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const others = `select count(*)::int as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`;
    while ((await client.query<{ n: number }>(others)).rows[0]!.n > 0) await new Promise((r) => setTimeout(r, 50));
    const { rows } = await client.query<{ n: string }>('select xact_commit as n from pg_stat_database where datname = current_database()');
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe.each(testTargets())('the outbox of notices on $name', (target) => {
  let database: TestDatabase;
  let db: Db;
  const logLines: string[] = [];
  const log = createLogger('debug', 'outbox-test', (line) => void logLines.push(line));
  const outboxes: ReturnType<typeof createOutbox>[] = [];

  function outbox(send: OutboxOptions['send'], overrides: Partial<OutboxOptions> = {}) {
    const created = createOutbox(db, { send, log, pollMs: 20, maxBackoffMs: 50, ...overrides });
    outboxes.push(created);
    return created;
  }
  const noticesOf = (requestId: number) => db.select().from(notices).where(eq(notices.requestId, requestId)).orderBy(asc(notices.id));
  const eventKinds = async (requestId: number) =>
    (await db.select().from(requestEvents).where(eq(requestEvents.requestId, requestId)).orderBy(asc(requestEvents.id))).map((e) => e.kind);

  beforeAll(async () => {
    database = await target.open();
    db = database.db;
  });

  afterAll(async () => {
    await Promise.all(outboxes.map((o) => o.stop(1_000)));
    await database.close();
  });

  it('a settlement records its outcome notice in the same transaction; a CLI request has nobody to tell', async () => {
    const row = await settled(db);
    expect(await noticesOf(row.id)).toMatchObject([{ what: 'created', state: 'waiting', attempts: 0 }]);
    expect(await noticesOf((await settled(db, 'cli')).id)).toEqual([]);
  });

  it('a DM that fails is tried again later until it gets through, once; each failure is in the audit trail', async () => {
    const row = await settled(db);
    const tries: number[] = [];
    const worker = outbox(async (notice) => {
      if (notice.requestId !== row.id) return {};
      tries.push(notice.attempts);
      if (tries.length <= 2) throw new Error('slack said internal_error');
      return { channel: row.userId };
    });
    await worker.tellNow(row.id);
    worker.start();
    await eventually(async () => ((await noticesOf(row.id))[0]?.state === 'delivered' ? true : undefined), 10_000, 'delivered');
    await new Promise((r) => setTimeout(r, 200)); // more polls: nothing else may happen
    expect(tries).toEqual([1, 2, 3]);
    const kinds = await eventKinds(row.id);
    expect(kinds.filter((k) => k === 'notify_failed')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'notified')).toHaveLength(1);
    await worker.stop(1_000);
  });

  it('a send refused for good is given up at its first try, with one error line and a notify_refused event', async () => {
    const row = await settled(db);
    const tries: number[] = [];
    const worker = outbox(async (notice) => {
      if (notice.requestId !== row.id) return {};
      tries.push(notice.attempts);
      throw new NoticeNotSent('chat.postMessage: user_not_found', { final: true });
    });
    await worker.tellNow(row.id);
    worker.start();
    await new Promise((r) => setTimeout(r, 200)); // more polls: nothing else may happen
    await worker.stop(1_000);
    expect(tries).toEqual([1]);
    expect(await noticesOf(row.id)).toMatchObject([{ state: 'refused', attempts: 1 }]);
    expect((await eventKinds(row.id)).filter((k) => k.startsWith('notif'))).toEqual(['notify_refused']);
    const lines = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.request === row.id);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([['error', 'gave up telling the user (created): refused for good']]);
  });

  it("a rate-limited send is tried again no sooner than Slack's Retry-After", async () => {
    const row = await settled(db);
    const worker = outbox(async () => {
      throw new NoticeNotSent('chat.postMessage: rate limited', { retryAfterMs: 45_000 });
    });
    await worker.tellNow(row.id);
    await worker.stop(1_000);
    const [notice] = await noticesOf(row.id);
    const [failed] = (await db.select().from(requestEvents).where(eq(requestEvents.requestId, row.id))).filter(
      (e) => e.kind === 'notify_failed',
    );
    expect(notice).toMatchObject({ state: 'waiting', attempts: 1 });
    expect(notice!.nextAttemptAt.getTime() - failed!.at.getTime()).toBeGreaterThanOrEqual(45_000);
  });

  it('a "queued" notice not yet through is dropped once the outcome is known: the user is told the outcome only', async () => {
    keys += 1;
    const person = contact({ firstName: 'Queued', lastName: `Person${keys}`, phone: freshIndianNumber() });
    const { row } = await recordRequest(
      db,
      {
        idempotencyKey: `outbox-q-${keys}`,
        userId: 'UQUEUED',
        source: 'slash',
        reply: { kind: 'modal', viewId: 'V-queued' },
        contact: person,
      },
      { leaseMs: 60_000 },
    );
    expect(await deferRequest(db, row, 0, 'HTTP 503', false, true)).toBe(true);
    expect(await noticesOf(row.id)).toMatchObject([{ what: 'queued', state: 'waiting' }]);
    const [claimed] = await claimRequests(db, { leaseMs: 60_000, limit: 1, ids: [row.id] });
    await settleRequests(db, [{ id: claimed!.id, status: 'created', contactId: 'c-q' }]);
    expect((await noticesOf(row.id)).map((n) => [n.what, n.state])).toEqual([
      ['queued', 'superseded'],
      ['created', 'waiting'],
    ]);
  });

  it('a notice not delivered within a day is given up, logged, and noted in the trail', async () => {
    const row = await settled(db);
    await db.update(notices).set({ createdAt: sql`now() - interval '25 hours'` }).where(eq(notices.requestId, row.id));
    const sent: NoticeRow[] = [];
    const worker = outbox(async (notice) => {
      if (notice.requestId === row.id) sent.push(notice);
      throw new Error('slack is down');
    });
    worker.start();
    await eventually(async () => ((await noticesOf(row.id))[0]?.state === 'expired' ? true : undefined), 10_000, 'expired');
    await worker.stop(1_000);
    expect(sent).toEqual([]);
    expect(await eventKinds(row.id)).toContain('notify_expired');
    const line = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.request === row.id && String(l.msg).startsWith('gave up telling the user'));
    expect(line).toMatchObject({ level: 'error' });
  });

  it("a settled batch's users are each told, the trail notes where each DM is, and a DM that fails is retried alone", async () => {
    const rows = await settledTogether(db, 30);
    const unlucky = rows[7]!.id;
    const ids = rows.map((row) => row.id);
    const tries = new Map<number, number>();
    const worker = outbox(async (notice) => {
      if (!ids.includes(notice.requestId)) return {};
      tries.set(notice.requestId, (tries.get(notice.requestId) ?? 0) + 1);
      if (notice.requestId === unlucky && tries.get(unlucky) === 1) throw new Error('slack said internal_error');
      return dmOf(notice);
    });
    // As the delivery hook does: one call per settled row, in one go.
    await Promise.all(rows.map((row) => worker.tellNow(row.id)));

    const told = await db.select().from(notices).where(inArray(notices.requestId, ids));
    expect(told.filter((n) => n.state === 'delivered').map((n) => n.requestId)).toHaveLength(29);
    expect(told.find((n) => n.requestId === unlucky)).toMatchObject({ state: 'waiting', attempts: 1 });
    const trail = await db.select().from(requestEvents).where(inArray(requestEvents.requestId, ids));
    for (const notice of told.filter((n) => n.requestId !== unlucky)) {
      expect(trail.filter((e) => e.requestId === notice.requestId && e.kind === 'notified').map((e) => e.detail)).toEqual([
        { what: 'created', ...dmOf(notice) },
      ]);
    }
    expect(trail.filter((e) => e.requestId === unlucky).map((e) => e.kind)).toContain('notify_failed');
    // Each token is kept until its outcome is told.
    expect((await db.select().from(replyTokens).where(inArray(replyTokens.requestId, ids))).map((t) => t.requestId)).toEqual([unlucky]);

    worker.start();
    await eventually(async () => ((await noticesOf(unlucky))[0]?.state === 'delivered' ? true : undefined), 10_000, 'delivered');
    await worker.stop(1_000);
    expect([...tries.values()].filter((n) => n !== 1)).toEqual([2]);
    expect(tries.size).toBe(30);
  });

  it('a slow DM holds up no other of its batch: those through are marked delivered while it is still on its way', async () => {
    const rows = await settledTogether(db, 5);
    const ids = rows.map((row) => row.id);
    const slow = rows[2]!.id;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const worker = outbox(async (notice) => {
      if (notice.requestId === slow) await held;
      return dmOf(notice);
    });
    const told = Promise.all(rows.map((row) => worker.tellNow(row.id)));
    const delivered = async () =>
      (await db.select().from(notices).where(inArray(notices.requestId, ids)))
        .filter((n) => n.state === 'delivered')
        .map((n) => n.requestId)
        .sort((a, b) => a - b);
    await eventually(async () => ((await delivered()).length === 4 ? true : undefined), 10_000, 'the four others marked');
    expect(await delivered()).toEqual(ids.filter((id) => id !== slow));
    release();
    await told;
    expect(await delivered()).toEqual(ids);
  });

  it.runIf(target.name === 'postgres')(
    "telling a settled batch's users costs the database a few commits, not a few per user (pg_stat_database)",
    async () => {
      const place = await target.scratch();
      try {
        const setup = await openScratch(place);
        const rows = await settledTogether(setup.db, 80);
        await setup.close();
        const url = (place.env as { DATABASE_URL: string }).DATABASE_URL;
        const before = await commitsOnceAlone(url);

        const app = await openScratch(place);
        const worker = createOutbox(app.db, { send: async (notice) => dmOf(notice), log });
        await Promise.all(rows.map((row) => worker.tellNow(row.id)));
        await worker.stop(1_000);
        await app.close();
        const commits = (await commitsOnceAlone(url)) - before;

        const check = await openScratch(place);
        const told = await check.db.select().from(notices).where(eq(notices.state, 'delivered'));
        const trail = await check.db.select().from(requestEvents).where(eq(requestEvents.kind, 'notified'));
        await check.close();
        expect(told).toHaveLength(80);
        expect(trail).toHaveLength(80);
        // Opening the database (its migration check) costs about ten; telling each user once cost three (a claim, a
        // read, a mark) — 259 here for these 80.
        expect(commits).toBeLessThan(80 / 2);
      } finally {
        await place.remove();
      }
    },
  );

  it('two workers on one database send each notice exactly once', async () => {
    const rows = await Promise.all(Array.from({ length: 30 }, () => settled(db)));
    const ids = new Set(rows.map((r) => r.id));
    const sends = new Map<number, number>();
    const send: OutboxOptions['send'] = async (notice) => {
      if (ids.has(notice.requestId)) sends.set(notice.requestId, (sends.get(notice.requestId) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 5));
      return {};
    };
    const [a, b] = [outbox(send), outbox(send)];
    a.start();
    b.start();
    await Promise.all(rows.map((r, i) => (i % 2 ? a : b).tellNow(r.id)));
    await eventually(
      async () => ((await Promise.all(rows.map((r) => noticesOf(r.id)))).every(([n]) => n?.state === 'delivered') ? true : undefined),
      10_000,
      'all delivered',
    );
    await Promise.all([a.stop(1_000), b.stop(1_000)]);
    expect([...sends.values()].every((n) => n === 1)).toBe(true);
    expect(sends.size).toBe(30);
  });
});
