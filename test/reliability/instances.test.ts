import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contactRequests, requestEvents } from '../../db/schema.js';
import { recordRequest } from '../../src/audit/requests.js';
import type { Contact } from '../../src/contact/contact.js';
import { validateContact } from '../../src/contact/validate.js';
import type { Database } from '../../src/database.js';
import { openTestPostgres, testTargets, type Scratch } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { dmText, pendingCount, sleep, startEndpoint, startFaultProxy, TITLES, type Endpoint, type FaultProxy } from './harness.js';
import { killAllSpawned, records, spawnApp, type AppProcess } from './processes.js';

// Real processes and real databases on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

/**
 * Two app processes on one PostgreSQL database share a backlog of 200 recorded requests: every request is delivered
 * once, by one of them. PostgreSQL only (the embedded database belongs to one process at a time).
 */
const postgres = testTargets().find((t) => t.name === 'postgres');
const COUNT = 200;

function contactNumber(i: number): Contact {
  const checked = validateContact(
    { firstName: 'Backlog', lastName: `Person ${i}`, phone: `+9198765${String(30_000 + i).padStart(5, '0')}` },
    'IN',
  );
  if (!checked.ok) throw new Error(`invalid test number ${i}: ${JSON.stringify(checked.errors)}`);
  return checked.contact;
}

describe.runIf(postgres)('two instances on one database (PostgreSQL only: needs TEST_DATABASE_URL)', () => {
  let slack: FakeSlack;
  let endpoint: Endpoint;
  let proxy: FaultProxy;
  let place: Scratch;
  let database: Database;
  let apps: AppProcess[] = [];
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    slack = await startFakeSlack();
    endpoint = await startEndpoint(postgres!);
    // A little latency per call, as a real endpoint has, so a batch is still in flight when the other instance polls.
    proxy = await startFaultProxy(endpoint.emulator.url, () => ({ kind: 'pass', delayMs: 150 }));
    place = await postgres!.scratch();
    database = await openTestPostgres((place.env as { DATABASE_URL: string }).DATABASE_URL);

    const contacts = Array.from({ length: COUNT }, (_, i) => contactNumber(i));
    expect(new Set(contacts.map((c) => c.phone.e164)).size).toBe(COUNT);
    for (const [i, contact] of contacts.entries()) {
      const { isNew } = await recordRequest(database.db, {
        idempotencyKey: `backlog-${i}`,
        teamId: 'T1',
        userId: `UB${i}`,
        source: 'slash',
        reply: { kind: 'modal', viewId: `V-backlog-${i}` },
        contact,
      });
      expect(isNew).toBe(true);
    }

    const env = { ...place.env, ...endpoint.env(proxy.url), SLACK_API_URL: slack.url, LOG_LEVEL: 'info' };
    apps = await Promise.all([spawnApp(env), spawnApp(env)]);
    const started = Date.now();
    await eventually(
      async () => {
        const pending = await pendingCount(database.db);
        return pending === 0 ? true : undefined;
      },
      30_000,
      'no request pending',
    );
    figures.drainMs = Date.now() - started;
    await eventually(
      async () => (slack.calls.filter((c) => c.method === 'chat.postMessage').length >= COUNT ? true : undefined),
      10_000,
      'every user told',
    );
    await sleep(1_300); // a poll more: nothing else may happen
  });

  afterAll(async () => {
    await killAllSpawned();
    await database?.close();
    await proxy?.close();
    await endpoint?.close();
    await slack?.close();
    await place?.remove();
    console.info(`[instances] ${JSON.stringify(figures)}`);
  });

  it('created every contact exactly once in the endpoint', async () => {
    const stored = await endpoint.contacts();
    expect(stored).toHaveLength(COUNT);
    expect(new Set(stored.map((c) => c.phoneE164)).size).toBe(COUNT);
    figures.contacts = stored.length;
    figures.calls = proxy.calls.length;
    figures.batchSizes = proxy.calls.map((c) => c.numbers.length);
  });

  it('settled every request as created, each with a distinct contact id the endpoint holds for its number', async () => {
    const rows = await database.db.select().from(contactRequests);
    expect(rows).toHaveLength(COUNT);
    expect(rows.filter((r) => r.status !== 'created')).toEqual([]);
    const ids = rows.map((r) => r.contactId);
    expect(new Set(ids).size).toBe(COUNT);
    const byId = new Map((await endpoint.contacts()).map((c) => [c.id, c]));
    for (const row of rows) expect(byId.get(row.contactId!)?.phoneE164).toBe(row.phoneE164);
  });

  it('made exactly one attempt per request, and settled and notified each once', async () => {
    const counts = await database.db
      .select({ requestId: requestEvents.requestId, kind: requestEvents.kind, n: sql<number>`count(*)::int` })
      .from(requestEvents)
      .groupBy(requestEvents.requestId, requestEvents.kind);
    const per = (kind: string) => counts.filter((c) => c.kind === kind);
    for (const kind of ['recorded', 'attempt', 'settled', 'notified']) {
      expect(per(kind), kind).toHaveLength(COUNT);
      expect(
        per(kind).filter((c) => c.n !== 1),
        kind,
      ).toEqual([]);
    }
    expect(per('retry')).toEqual([]);
  });

  it('told each user once that their contact was created', () => {
    const dms = slack.calls.filter((c) => c.method === 'chat.postMessage');
    expect(dms).toHaveLength(COUNT);
    expect(new Set(dms.map((c) => c.args.channel)).size).toBe(COUNT);
    expect(dms.every((c) => dmText(c).startsWith(TITLES.created))).toBe(true);
  });

  it('shared the work between the two instances (reported, not required)', () => {
    const settledBy = apps.map((app) => records(app.lines).filter((r) => r.msg === 'request settled').length);
    figures.settledByInstance = settledBy;
    expect(settledBy.reduce((a, b) => a + b, 0)).toBe(COUNT);
    if (settledBy.some((n) => n === 0)) console.warn(`[instances] one instance did all the work: ${JSON.stringify(settledBy)}`);
  });
});
