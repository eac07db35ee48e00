import { eq, inArray, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactRequests } from '../../db/schema.js';
import { BUDGET_WINDOW_MS, callBudgetOf } from '../../src/audit/budget.js';
import { makeWaitingDue } from '../../src/audit/recovery.js';
import { awaitBudget, claimRequests, deferRequest, recordRequest, type RequestRow } from '../../src/audit/requests.js';
import { callsUntilSent, readWait, requestsAhead } from '../../src/audit/wait.js';
import type { Db } from '../../src/database.js';
import { contact, freshIndianNumber } from '../kore/loopback.js';
import { testTargets, type TestDatabase } from '../support/databases.js';

describe('callsUntilSent', () => {
  it('is the call whose batch holds the request: one past the full batches of those ahead of it', () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.integer({ min: 1, max: 1_000 }), (ahead, batchSize) => {
        const n = callsUntilSent(ahead, batchSize);
        // The n calls carry it and everything ahead of it; n - 1 calls would not.
        expect((n - 1) * batchSize).toBeLessThanOrEqual(ahead);
        expect(n * batchSize).toBeGreaterThan(ahead);
      }),
    );
    expect(callsUntilSent(0, 50)).toBe(1);
    expect(callsUntilSent(49, 50)).toBe(1);
    expect(callsUntilSent(50, 50)).toBe(2);
    expect(callsUntilSent(120, 1)).toBe(121);
  });
});

let keys = 0;
let accounts = 0;

describe.each(testTargets())('why a request waits, read from the audit trail on $name', (target) => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await target.open();
    db = database.db;
  });
  afterAll(() => database?.close());

  async function pending(): Promise<RequestRow> {
    keys += 1;
    const { row } = await recordRequest(db, {
      idempotencyKey: `wait-${keys}`,
      userId: 'U0WAIT',
      source: 'slash',
      reply: { kind: 'modal', viewId: `V-wait-${keys}` },
      contact: contact({ firstName: 'Wait', lastName: `Person ${keys}`, phone: freshIndianNumber() }, 'IN'),
    });
    return row;
  }

  /** Sets when each request is due, in seconds from a fixed moment, and whatever else the test needs of it. */
  async function dueAt(row: RequestRow, seconds: number, set: Partial<typeof contactRequests.$inferInsert> = {}): Promise<void> {
    await db
      .update(contactRequests)
      .set({ nextAttemptAt: sql`timestamptz '2030-01-01 00:00:00+00' + ${seconds} * interval '1 second'`, ...set })
      .where(eq(contactRequests.id, row.id));
  }

  const pace = (callsPerMinute: number) => ({
    budget: callBudgetOf(db, { accountId: `acct-wait-${++accounts}`, callsPerMinute }),
    batchSize: 2,
  });

  it('counts ahead the pending requests due earlier, or as early and recorded before; not those settled or being sent', async () => {
    await db.update(contactRequests).set({ status: 'failed' }).where(eq(contactRequests.status, 'pending'));
    const [first, tiedEarlier, tiedLater, leased, settled, last] = [
      await pending(),
      await pending(),
      await pending(),
      await pending(),
      await pending(),
      await pending(),
    ];
    await dueAt(first, 0);
    await dueAt(tiedEarlier, 10);
    await dueAt(tiedLater, 10);
    await dueAt(leased, 5, { leaseUntil: new Date(Date.now() + 60_000) });
    await dueAt(settled, 1, { status: 'created' });
    await dueAt(last, 20);

    expect(await requestsAhead(db, first.id)).toBe(0);
    expect(await requestsAhead(db, tiedEarlier.id)).toBe(1);
    expect(await requestsAhead(db, tiedLater.id)).toBe(2);
    expect(await requestsAhead(db, last.id)).toBe(3);
    // Its lease ended with its process: it is claimed again, in its place.
    await dueAt(leased, 5, { leaseUntil: new Date(Date.now() - 1_000) });
    expect(await requestsAhead(db, last.id)).toBe(4);
    await db
      .update(contactRequests)
      .set({ status: 'failed' })
      .where(inArray(contactRequests.id, [first.id, tiedEarlier.id, tiedLater.id, leased.id, last.id]));
  });

  it('a wait for the budget: how long until the call that carries it, and how many are ahead', async () => {
    const { budget, batchSize } = pace(1);
    expect((await budget.take()).granted).toBe(true);
    const rows = [await pending(), await pending(), await pending()];
    for (const row of rows) await awaitBudget(db, await claimRequests(db, { leaseMs: 60_000, limit: 1, ids: [row.id] }), 1_000);

    const waits = await Promise.all(rows.map((row) => readWait(db, row.id, { budget, batchSize })));
    expect(waits.map((w) => w.why === 'budget' && w.ahead)).toEqual([0, 1, 2]);
    // The first two go in the next call, a window after the one just made; the third in the call a window later.
    const [a, b, c] = waits.map((w) => (w.why === 'budget' ? w.inMs : Number.NaN)) as [number, number, number];
    expect(a).toBeGreaterThan(BUDGET_WINDOW_MS - 10_000);
    expect(a).toBeLessThanOrEqual(BUDGET_WINDOW_MS);
    expect(Math.abs(b - a)).toBeLessThan(1_000);
    expect(c).toBeGreaterThan(a + BUDGET_WINDOW_MS - 10_000);
    await db
      .update(contactRequests)
      .set({ status: 'failed' })
      .where(
        inArray(
          contactRequests.id,
          rows.map((r) => r.id),
        ),
      );
  });

  it("a vendor's rate-limit answer: as long as the retry was put off; any other unavailable answer: no time told", async () => {
    const limited = await pending();
    const down = await pending();
    const rateLimited = { kind: 'unavailable', status: 429, messages: ['Rate limit reached'], retryAfterMs: 30_000, rateLimited: true };
    await deferRequest(db, limited, 30_000, rateLimited, false, true);
    await deferRequest(db, down, 2_000, { kind: 'unavailable', status: 503, messages: ['injected 503'] }, false, true, true);

    const wait = await readWait(db, limited.id, pace(60));
    expect(wait.why).toBe('rate-limit');
    if (wait.why !== 'rate-limit') return;
    expect(wait.inMs).toBeGreaterThan(20_000);
    expect(wait.inMs).toBeLessThanOrEqual(30_000);
    expect(await readWait(db, down.id, pace(60))).toEqual({ why: 'no-answer' });
    // The endpoint answered again: its latest retry is the recovery's, and it waits for no one.
    await makeWaitingDue(db);
    expect(await readWait(db, down.id, pace(60))).toEqual({ why: 'no-answer' });
  });

  it('a request with no retry yet is taken to wait for the endpoint', async () => {
    expect(await readWait(db, (await pending()).id, pace(60))).toEqual({ why: 'no-answer' });
  });
});
