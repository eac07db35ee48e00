import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contactRequests, requestEvents } from '../../db/schema.js';
import { callBudgetOf } from '../../src/audit/budget.js';
import { createDelivery, type Delivery, type DeliveryOptions } from '../../src/audit/delivery.js';
import { recordRequest, type RequestRow } from '../../src/audit/requests.js';
import type { Database, Db } from '../../src/database.js';
import { koreClient } from '../../src/kore/client.js';
import { createLogger } from '../../src/log.js';
import { contact, freshIndianNumber } from '../kore/loopback.js';
import { openTestPostgres, testTargets, type TestTarget } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startEndpoint, startFaultProxy, type Endpoint, type FaultProxy } from './harness.js';

// Real databases and a loopback endpoint on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const MINUTE = 60_000;
const BACKLOG = 50;
/** How long the backlog could take to drain if it waited for its schedule: far beyond it, far below minutes. */
const SETTLES_WITHIN_MS = 20_000;
const log = createLogger('warn', 'recovery-test', () => {});
const hooks: DeliveryOptions['hooks'] = { onQueued: async () => {}, onSettled: async () => {} };

let keys = 0;
function newRequest(name: string) {
  keys += 1;
  return {
    idempotencyKey: `recovery-${keys}-${Math.random()}`,
    userId: `U${keys}`,
    source: 'slash' as const,
    reply: { kind: 'modal' as const, viewId: `V-recovery-${keys}` },
    contact: contact({ firstName: name, lastName: `Person ${keys}`, phone: freshIndianNumber() }, 'IN'),
  };
}

/**
 * An endpoint behind a fault proxy that is down (503, with `Retry-After: 300` for the numbers in `askedToWait`) until
 * `down` is cleared. (A rate-limit answer would stop every call for the account: the budget tests hold that.)
 */
async function outage(target: TestTarget) {
  const endpoint = await startEndpoint(target);
  const state = { down: true, askedToWait: new Set<string>() };
  const proxy = await startFaultProxy(endpoint.emulator.url, (call) => {
    if (!state.down) return { kind: 'pass' };
    if (call.numbers.some((n) => state.askedToWait.has(n))) return { kind: 'status', status: 503, headers: { 'retry-after': '300' } };
    return { kind: 'status', status: 503 };
  });
  return { endpoint, proxy, state };
}

function worker(db: Db, endpoint: Endpoint, proxy: FaultProxy, overrides: Partial<DeliveryOptions> = {}): Delivery {
  const contacts = koreClient({ host: proxy.url, ...endpoint.identity }, { defaultExtension: '+' });
  const budget = callBudgetOf(db, { accountId: endpoint.identity.accountId, callsPerMinute: 100_000 });
  return createDelivery(db, { contacts, budget, hooks, log, deadlineMs: 60 * MINUTE, ...overrides });
}

/**
 * Records `count` requests that have been retried for a while already (nine attempts: the backoff has ramped to
 * minutes), then makes their next attempt through `delivery` while the endpoint is down: they wait for a retry.
 */
async function queueDuringOutage(db: Db, delivery: Delivery, count: number, name = 'Backlog'): Promise<RequestRow[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i += 1) ids.push((await recordRequest(db, newRequest(name))).row.id);
  await db.update(contactRequests).set({ attempts: 9 }).where(inArray(contactRequests.id, ids));
  await delivery.deliverNow(ids);
  const rows = await db.select().from(contactRequests).where(inArray(contactRequests.id, ids));
  expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'pending'));
  return rows;
}

/** One new submission, accepted and sent at once, as the Slack handlers do. */
async function submitOne(delivery: Delivery): Promise<RequestRow> {
  const { row } = await delivery.accept(newRequest('Newcomer'));
  await delivery.deliverNow([row.id]);
  return row;
}

async function current(db: Db, rows: Pick<RequestRow, 'id'>[]): Promise<RequestRow[]> {
  return db
    .select()
    .from(contactRequests)
    .where(
      inArray(
        contactRequests.id,
        rows.map((r) => r.id),
      ),
    );
}

/** Waits (up to `SETTLES_WITHIN_MS`) for every row to settle; returns them. */
function allSettled(db: Db, rows: RequestRow[]): Promise<RequestRow[]> {
  return eventually(
    async () => {
      const now = await current(db, rows);
      return now.every((r) => r.status !== 'pending') ? now : undefined;
    },
    SETTLES_WITHIN_MS,
    `${rows.length} waiting requests settled`,
  );
}

/** Each row was scheduled minutes away, yet was created long before that. */
function expectCreatedBeforeSchedule(waiting: RequestRow[], settled: RequestRow[]): void {
  const byId = new Map(waiting.map((r) => [r.id, r]));
  expect(settled.map((r) => r.status)).toEqual(settled.map(() => 'created'));
  for (const row of settled) {
    const scheduled = byId.get(row.id)!.nextAttemptAt.getTime();
    expect(scheduled - row.createdAt.getTime()).toBeGreaterThan(2 * MINUTE);
    expect(row.settledAt!.getTime()).toBeLessThan(scheduled - MINUTE);
  }
}

async function recoveredEvents(db: Db, rows: RequestRow[]) {
  const events = await db
    .select()
    .from(requestEvents)
    .where(
      and(
        eq(requestEvents.kind, 'retry'),
        inArray(
          requestEvents.requestId,
          rows.map((r) => r.id),
        ),
      ),
    );
  return events.filter((e) => (e.detail as { reason?: unknown }).reason === 'endpoint recovered');
}

describe.each(testTargets())('instant recovery on $name', (target) => {
  let endpoint: Endpoint;
  let proxy: FaultProxy;
  let state: Awaited<ReturnType<typeof outage>>['state'];
  let app: Database;

  beforeAll(async () => {
    ({ endpoint, proxy, state } = await outage(target));
    app = await target.open();
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    await endpoint?.close();
  });

  it('a success after an outage makes the whole backlog due at once, but keeps the waits the endpoint asked for', async () => {
    // No poll in the test's time: the backlog is drained by the recovery itself.
    const delivery = worker(app.db, endpoint, proxy, { maxBackoffMs: 5 * MINUTE, pollMs: 10 * MINUTE });
    try {
      const waiting = await queueDuringOutage(app.db, delivery, BACKLOG);
      const askedRequest = newRequest('AskedToWait');
      state.askedToWait.add(askedRequest.contact.phone.e164);
      const { row: asked } = await recordRequest(app.db, askedRequest);
      await delivery.deliverNow([asked.id]);
      const [askedWaiting] = await current(app.db, [asked]);
      // Started once the backlog waits, so its first poll cannot take requests still being recorded.
      delivery.start();

      state.down = false;
      const newcomer = await submitOne(delivery);
      const settled = await allSettled(app.db, waiting);

      expectCreatedBeforeSchedule(waiting, settled);
      const held = new Set((await endpoint.contacts()).map((c) => c.phoneE164));
      for (const row of [...settled, newcomer]) expect(held.has(row.phoneE164)).toBe(true);
      // Every row changed has an event saying why.
      expect(new Set((await recoveredEvents(app.db, waiting)).map((e) => e.requestId))).toEqual(new Set(waiting.map((r) => r.id)));
      // The request asked to wait still waits for what the endpoint asked (Retry-After: 300), untouched.
      expect(await current(app.db, [asked])).toEqual([askedWaiting]);
      expect(proxy.callsFor(asked.phoneE164)).toHaveLength(1);
      expect(await recoveredEvents(app.db, [asked])).toEqual([]);
    } finally {
      await delivery.stop(5_000);
    }
  });

  it('while the endpoint is down, each waiting request is tried again within the cap, never sooner than half of it', async () => {
    const capMs = 1_000;
    const outageMs = 4_000;
    state.down = true;
    const delivery = worker(app.db, endpoint, proxy, { maxBackoffMs: capMs, pollMs: 50 });
    delivery.start();
    try {
      const ids: number[] = [];
      for (let i = 0; i < 3; i += 1) ids.push((await delivery.accept(newRequest('Probe'))).row.id);
      const started = Date.now();
      await delivery.deliverNow(ids);
      const rows = await current(
        app.db,
        ids.map((id) => ({ id })),
      );
      await new Promise((r) => setTimeout(r, outageMs));
      state.down = false;
      const outageEnded = Date.now();
      const settled = await allSettled(app.db, rows);
      expect(settled.map((r) => r.status)).toEqual(settled.map(() => 'created'));
      for (const row of rows) {
        const during = proxy.callsFor(row.phoneE164).filter((c) => c.receivedAt < outageEnded);
        // No more than one call per request per half the cap (the jitter's floor); probed more than once meanwhile.
        expect(during.length).toBeLessThanOrEqual(1 + Math.floor((outageEnded - started) / (capMs / 2)));
        expect(during.length).toBeGreaterThan(1);
      }
    } finally {
      await delivery.stop(5_000);
    }
  });

  it('the default backoff schedules a waiting request at most 30 s after its last answer (the next probe)', async () => {
    state.down = true;
    const delivery = worker(app.db, endpoint, proxy); // no maxBackoffMs: the default, as the app runs it
    const { row } = await recordRequest(app.db, newRequest('Ramped'));
    await app.db.update(contactRequests).set({ attempts: 20 }).where(eq(contactRequests.id, row.id));
    await delivery.deliverNow([row.id]);
    const [retry] = await app.db
      .select()
      .from(requestEvents)
      .where(and(eq(requestEvents.requestId, row.id), eq(requestEvents.kind, 'retry')));
    const waitMs = new Date((retry!.detail as { at: string }).at).getTime() - retry!.at.getTime();
    expect(waitMs).toBeGreaterThanOrEqual(15_000 - 1);
    expect(waitMs).toBeLessThanOrEqual(30_000 + 1);
    await delivery.stop(1_000);
  });
});

const postgres = testTargets().find((t) => t.name === 'postgres');

describe.runIf(postgres)('instant recovery across two instances on one PostgreSQL', () => {
  it("one instance's success drains the backlog another instance deferred", async () => {
    const { endpoint, proxy, state } = await outage(postgres!);
    const place = await postgres!.scratch();
    const url = (place.env as { DATABASE_URL: string }).DATABASE_URL;
    const [first, second] = [await openTestPostgres(url), await openTestPostgres(url)];
    const deferring = worker(first!.db, endpoint, proxy, { maxBackoffMs: 5 * MINUTE, pollMs: 10 * MINUTE });
    const succeeding = worker(second!.db, endpoint, proxy, { maxBackoffMs: 5 * MINUTE, pollMs: 10 * MINUTE });
    try {
      const waiting = await queueDuringOutage(first!.db, deferring, BACKLOG);
      deferring.start();
      succeeding.start();
      state.down = false;
      await submitOne(succeeding);
      expectCreatedBeforeSchedule(waiting, await allSettled(first!.db, waiting));
    } finally {
      await Promise.all([deferring.stop(5_000), succeeding.stop(5_000)]);
      await Promise.all([first!.close(), second!.close()]);
      await place.remove();
      await proxy.close();
      await endpoint.close();
    }
  });
});
