import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { callBudget, contactRequests, notices, requestEvents } from '../../db/schema.js';
import { BUDGET_WINDOW_MS, callBudgetOf } from '../../src/audit/budget.js';
import { createDelivery, type Delivery } from '../../src/audit/delivery.js';
import type { RequestRow } from '../../src/audit/requests.js';
import type { Database, Db } from '../../src/database.js';
import { koreClient } from '../../src/kore/client.js';
import { createLogger } from '../../src/log.js';
import { contact, freshIndianNumber } from '../kore/loopback.js';
import { openTestPostgres, testTargets } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startEndpoint, startFaultProxy, type Endpoint, type FaultProxy } from './harness.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const log = createLogger('error', 'budget-test', () => {});
let accounts = 0;
/** A budget of an account of its own, so each test starts with a whole minute. */
const freshAccount = () => `acct-budget-${++accounts}`;

/** The calls in the budget's window, as if a minute had passed: each frees its slot. */
async function passTheMinute(db: Db): Promise<void> {
  await db
    .update(callBudget)
    .set({ calls: sql`array(select c - ${BUDGET_WINDOW_MS} * interval '1 millisecond' from unnest(${callBudget.calls}) c)` });
}

describe.each(testTargets())('the call budget on $name', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('grants as many calls as the limit in a rolling minute, then says how long until one frees', async () => {
    const budget = callBudgetOf(database.db, { accountId: freshAccount(), callsPerMinute: 3 });
    const takes = [await budget.take(), await budget.take(), await budget.take(), await budget.take()];
    expect(takes.map((t) => t.granted)).toEqual([true, true, true, false]);
    const refused = takes[3]!;
    if (refused.granted) throw new Error('unreachable');
    expect(refused.freeInMs).toBeGreaterThan(BUDGET_WINDOW_MS - 10_000);
    expect(refused.freeInMs).toBeLessThanOrEqual(BUDGET_WINDOW_MS);
    expect(await budget.used()).toBe(3);
    // The fourth, fifth and sixth calls come a window after the first three; the seventh a window after those.
    expect(await budget.waitFor(1)).toBeGreaterThan(BUDGET_WINDOW_MS - 10_000);
    expect(await budget.waitFor(4)).toBeGreaterThan(2 * BUDGET_WINDOW_MS - 10_000);
  });

  it('takes back a slot given back (no call was made), and frees the window as the minute passes', async () => {
    const budget = callBudgetOf(database.db, { accountId: freshAccount(), callsPerMinute: 2 });
    const first = await budget.take();
    const second = await budget.take();
    expect((await budget.take()).granted).toBe(false);
    if (!second.granted || !first.granted) throw new Error('expected two calls');
    await budget.giveBack(second.slot);
    expect(await budget.used()).toBe(1);
    expect((await budget.take()).granted).toBe(true);
    await budget.ended(first.slot, 5_000);
    expect((await budget.take()).granted).toBe(false);
    await passTheMinute(database.db);
    expect(await budget.used()).toBe(0);
    expect((await budget.take()).granted).toBe(true);
  });

  it('counts a slow call from when it ended (the vendor may have counted it then), a quick one from when it was taken', async () => {
    const budget = callBudgetOf(database.db, { accountId: freshAccount(), callsPerMinute: 2 });
    const quick = await budget.take();
    const slow = await budget.take();
    if (!quick.granted || !slow.granted) throw new Error('expected two calls');
    // Both taken 40 s ago: each frees its slot about 21 s from now…
    await database.db.update(callBudget).set({ calls: sql`array(select c - interval '40 seconds' from unnest(${callBudget.calls}) c)` });
    const earlier = async (slot: string) => {
      const [row] = await database.db
        .select({ at: sql<string>`(${slot}::timestamptz - interval '40 seconds')::text` })
        .from(callBudget)
        .limit(1);
      return row!.at;
    };
    await budget.ended(await earlier(quick.slot), 100);
    expect(await budget.waitFor(2)).toBeLessThan(BUDGET_WINDOW_MS - 30_000);
    // …unless the call took 40 s to answer: then it holds its slot a whole window from now.
    await budget.ended(await earlier(slow.slot), 40_000);
    expect(await budget.waitFor(2)).toBeGreaterThan(BUDGET_WINDOW_MS - 5_000);
  });

  it('stops every call for as long as the vendor asks after a rate-limit answer', async () => {
    const accountId = freshAccount();
    const budget = callBudgetOf(database.db, { accountId, callsPerMinute: 60 });
    expect((await budget.take()).granted).toBe(true);
    await budget.spentFor(30_000);
    // Another instance (another budget object on the same account) is held back too.
    const other = callBudgetOf(database.db, { accountId, callsPerMinute: 60 });
    const refused = await other.take();
    expect(refused.granted).toBe(false);
    expect(await other.waitFor(1)).toBeGreaterThan(25_000);
  });

  it('is counted in the database: a budget made after a restart sees the calls already made', async () => {
    const accountId = freshAccount();
    const before = callBudgetOf(database.db, { accountId, callsPerMinute: 2 });
    await before.take();
    await before.take();
    const after = callBudgetOf(database.db, { accountId, callsPerMinute: 2 });
    expect(await after.used()).toBe(2);
    expect((await after.take()).granted).toBe(false);
  });
});

describe.each(testTargets())('deliveries within the call budget on $name', (target) => {
  let endpoint: Endpoint;
  let proxy: FaultProxy;
  let app: Database;
  beforeAll(async () => {
    endpoint = await startEndpoint(target);
    proxy = await startFaultProxy(endpoint.emulator.url, () => ({ kind: 'pass' }));
    app = await target.open();
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    await endpoint?.close();
  });

  function worker(callsPerMinute: number): Delivery {
    const contacts = koreClient({ host: proxy.url, ...endpoint.identity }, { defaultExtension: '+' });
    const budget = callBudgetOf(app.db, { accountId: freshAccount(), callsPerMinute });
    return createDelivery(app.db, {
      contacts,
      budget,
      hooks: { onQueued: async () => {}, onSettled: async () => {} },
      log,
      deadlineMs: 3_600_000,
      pollMs: 50,
    });
  }

  async function submit(delivery: Delivery, n: number): Promise<RequestRow[]> {
    return Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const { row } = await delivery.accept({
          idempotencyKey: `burst-${Date.now()}-${i}-${Math.random()}`,
          userId: `U${i}`,
          source: 'slash',
          reply: { kind: 'modal', viewId: `V-burst-${i}` },
          contact: contact({ firstName: 'Burst', lastName: `Person ${i}`, phone: freshIndianNumber() }, 'IN'),
        });
        await delivery.deliverNow([row.id]);
        return row;
      }),
    );
  }

  const rowsOf = (rows: RequestRow[]) =>
    app.db
      .select()
      .from(contactRequests)
      .where(
        inArray(
          contactRequests.id,
          rows.map((r) => r.id),
        ),
      );

  it('sends a burst as far as the budget goes, tells the rest they wait, and sends them together when a call frees', async () => {
    const delivery = worker(3);
    const callsBefore = proxy.calls.length;
    const burst = await submit(delivery, 10);

    const afterBurst = await rowsOf(burst);
    const created = afterBurst.filter((r) => r.status === 'created');
    const waiting = afterBurst.filter((r) => r.status === 'pending');
    expect(proxy.calls.length - callsBefore).toBe(3);
    expect(created).toHaveLength(3);
    expect(waiting).toHaveLength(7);
    // No call was made for them: no attempt is counted, and each user is to be told it waits for the budget.
    expect(waiting.map((r) => [r.attempts, r.leaseUntil])).toEqual(waiting.map(() => [0, null]));
    const queued = await app.db
      .select()
      .from(notices)
      .where(
        and(
          eq(notices.what, 'queued'),
          inArray(
            notices.requestId,
            waiting.map((r) => r.id),
          ),
        ),
      );
    expect(queued).toHaveLength(7);
    const waits = await app.db
      .select()
      .from(requestEvents)
      .where(
        and(
          eq(requestEvents.kind, 'retry'),
          inArray(
            requestEvents.requestId,
            waiting.map((r) => r.id),
          ),
        ),
      );
    expect(waits.map((e) => (e.detail as { waitingFor?: string }).waitingFor)).toEqual(waiting.map(() => 'budget'));

    // A running worker makes no call while the minute is spent…
    delivery.start();
    try {
      await new Promise((r) => setTimeout(r, 500));
      expect(proxy.calls.length - callsBefore).toBe(3);
      // …and once it passes, sends all seven in one call.
      await passTheMinute(app.db);
      const settled = await eventually(async () => {
        const now = await rowsOf(burst);
        return now.every((r) => r.status !== 'pending') ? now : undefined;
      });
      expect(settled.map((r) => r.status)).toEqual(settled.map(() => 'created'));
      const later = proxy.calls.slice(callsBefore + 3);
      expect(later).toHaveLength(1);
      expect(new Set(later[0]!.numbers)).toEqual(new Set(waiting.map((r) => r.phoneE164)));
      expect(proxy.calls.slice(callsBefore).map((c) => c.upstreamStatus)).toEqual([200, 200, 200, 200]);
    } finally {
      await delivery.stop(5_000);
    }
  });
});

const postgres = testTargets().find((t) => t.name === 'postgres');

describe.runIf(postgres)('one call budget across two instances on one PostgreSQL', () => {
  it('grants the limit once between them however their takes interleave', async () => {
    const place = await postgres!.scratch();
    const url = (place.env as { DATABASE_URL: string }).DATABASE_URL;
    const [first, second] = [await openTestPostgres(url), await openTestPostgres(url)];
    try {
      const accountId = freshAccount();
      const budgets = [first!, second!].map((d) => callBudgetOf(d.db, { accountId, callsPerMinute: 7 }));
      const takes = await Promise.all(Array.from({ length: 40 }, (_, i) => budgets[i % 2]!.take()));
      expect(takes.filter((t) => t.granted)).toHaveLength(7);
      expect(await budgets[0]!.used()).toBe(7);
    } finally {
      await Promise.all([first!.close(), second!.close()]);
      await place.remove();
    }
  });
});
