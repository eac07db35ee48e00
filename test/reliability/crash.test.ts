import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/database.js';
import { SIGNING_SECRET } from '../support/bot.js';
import { openTestPostgres, testTargets, type Scratch } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { modalSubmission } from '../support/slack-requests.js';
import {
  dmsTo,
  dmText,
  eventsOf,
  postSignedRaw,
  requestsFor,
  settledRequest,
  sleep,
  startEndpoint,
  startFaultProxy,
  TITLES,
  type Endpoint,
  type FaultProxy,
} from './harness.js';
import { killAllSpawned, spawnApp, type AppProcess } from './processes.js';

// Real processes and real databases on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

/**
 * kill -9 with two requests on the books:
 * - IN FLIGHT: its call reached the endpoint, which created the contact, but the answer never came back;
 * - QUEUED: its first call met a 503, the user was told it is queued, and it waits for its retry.
 * A new process on the same database delivers the queued one when it is due and picks the in-flight one up once its
 * lease has expired. PostgreSQL only: the embedded database belongs to one process at a time.
 */
const postgres = testTargets().find((t) => t.name === 'postgres');

const IN_FLIGHT = { user: 'UCRASH', typed: '098765 20001', e164: '+919876520001' };
const QUEUED = { user: 'UQUEUE', typed: '+91 98765 20002', e164: '+919876520002' };
/** The lease outlives the call timeout, as the settings require; it decides how soon the request is picked up. */
const ENV = { KORE_TIMEOUT_SECONDS: '1.5', DELIVERY_LEASE_SECONDS: '3', LOG_LEVEL: 'info' };

describe.runIf(postgres)('kill -9 with a delivery in flight and one queued (PostgreSQL only: needs TEST_DATABASE_URL)', () => {
  let slack: FakeSlack;
  let endpoint: Endpoint;
  let proxy: FaultProxy;
  let place: Scratch;
  let database: Database;
  let first: AppProcess;
  let second: AppProcess;
  const figures: Record<string, number> = {};

  beforeAll(async () => {
    slack = await startFakeSlack();
    endpoint = await startEndpoint(postgres!);
    let killed = false;
    proxy = await startFaultProxy(endpoint.emulator.url, (call) => {
      // Before the kill the queued request only ever meets 503s, so it is surely still queued when the process dies.
      if (!killed && call.numbers.includes(QUEUED.e164)) return { kind: 'status', status: 503 };
      // The in-flight request's first call reaches the emulator (the contact is created) and is never answered.
      if (!killed && call.numbers.includes(IN_FLIGHT.e164)) return { kind: 'hold' };
      return { kind: 'pass' };
    });
    place = await postgres!.scratch();
    const env = { ...ENV, ...place.env, ...endpoint.env(proxy.url), SLACK_API_URL: slack.url };
    first = await spawnApp(env);
    const submit = (who: typeof IN_FLIGHT, lastName: string) =>
      postSignedRaw(
        first.events,
        SIGNING_SECRET,
        modalSubmission(
          { salutation: 'Dr', firstName: 'Crash', lastName, country: 'IN', phone: who.typed },
          { userId: who.user, viewId: `V${who.user}` },
        ),
      );

    expect((await submit(QUEUED, 'Queued')).status).toBe(200);
    await eventually(async () => (dmsTo(slack, QUEUED.user).length > 0 ? true : undefined), 15_000, 'the queued notice');
    expect((await submit(IN_FLIGHT, 'InFlight')).status).toBe(200);
    await eventually(
      async () => (proxy.callsFor(IN_FLIGHT.e164)[0]?.upstreamStatus === 200 ? true : undefined),
      15_000,
      'the call reached the emulator',
    );

    first.signal('SIGKILL');
    const killedAt = Date.now();
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    killed = true;

    database = await openTestPostgres((place.env as { DATABASE_URL: string }).DATABASE_URL);
    figures.pendingAtKill = (await Promise.all([IN_FLIGHT, QUEUED].map((r) => requestsFor(database.db, r.e164))))
      .flat()
      .filter((r) => r.status === 'pending').length;

    second = await spawnApp(env);
    const restartedAt = Date.now();
    const settledAt: Record<string, number> = {};
    await Promise.all(
      [IN_FLIGHT, QUEUED].map(async (r) => {
        await settledRequest(database.db, r.e164, 30_000);
        settledAt[r.user] = Date.now();
      }),
    );
    figures.inFlightRecoveredMsAfterKill = settledAt[IN_FLIGHT.user]! - killedAt;
    figures.inFlightRecoveredMsAfterRestart = settledAt[IN_FLIGHT.user]! - restartedAt;
    figures.queuedDeliveredMsAfterRestart = settledAt[QUEUED.user]! - restartedAt;
    figures.secondProcessStartMs = second.startedInMs;
    await sleep(1_300); // a poll more: nothing else may happen
  });

  afterAll(async () => {
    await killAllSpawned();
    await database?.close();
    await proxy?.close();
    await endpoint?.close();
    await slack?.close();
    await place?.remove();
    console.info(
      `[crash] ${JSON.stringify({ ...figures, proxyCalls: proxy?.calls.map((c) => `${c.numbers.length}:${c.fault}:${c.upstreamStatus ?? '-'}`) })}`,
    );
  });

  it('left both requests pending (not lost) when the process died', () => {
    expect(figures.pendingAtKill).toBe(2);
  });

  it('created exactly one contact for each number in the endpoint', async () => {
    expect(await endpoint.contacts(IN_FLIGHT.e164)).toHaveLength(1);
    expect(await endpoint.contacts(QUEUED.e164)).toHaveLength(1);
    // The in-flight call created it; a later call (alone, or in a batch that was then split) met the duplicate.
    const calls = proxy.callsFor(IN_FLIGHT.e164);
    expect(calls[0]!.upstreamStatus).toBe(200);
    expect(calls.at(-1)!.upstreamStatus).toBe(409);
    expect(proxy.callsFor(QUEUED.e164).at(-1)!.upstreamStatus).toBe(200);
  });

  it('settled the in-flight request as a duplicate of our own earlier attempt, with two attempts in the trail', async () => {
    const rows = await requestsFor(database.db, IN_FLIGHT.e164);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'duplicate', attempts: 2, userId: IN_FLIGHT.user });
    expect(rows[0]!.error).toMatchObject({ kind: 'duplicate', afterUncertainAttempt: true });
    const kinds = (await eventsOf(database.db, rows[0]!.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k !== 'notified')).toEqual(['recorded', 'attempt', 'attempt', 'settled']);
    expect(kinds.filter((k) => k === 'notified')).toHaveLength(1);
  });

  it('told the in-flight user once, honestly: an earlier attempt of this same request most likely created it', () => {
    const dms = dmsTo(slack, IN_FLIGHT.user);
    expect(dms).toHaveLength(1);
    const text = dmText(dms[0]!);
    expect(text.startsWith(TITLES.duplicate)).toBe(true);
    expect(text).toContain('An earlier attempt of this same request most likely created it');
    expect(text).not.toMatch(/<@/);
  });

  it('delivered the queued request after the restart: created, one queued DM before and one outcome DM after', async () => {
    const [row] = await requestsFor(database.db, QUEUED.e164);
    expect(row).toMatchObject({ status: 'created' });
    expect((await endpoint.contacts(QUEUED.e164))[0]!.id).toBe(row!.contactId);
    const events = await eventsOf(database.db, row!.id);
    expect(events.filter((e) => e.kind === 'attempt')).toHaveLength(row!.attempts);
    expect(dmsTo(slack, QUEUED.user).map((c) => dmText(c).split('\n')[0])).toEqual([TITLES.queued, TITLES.created]);
  });

  it('the restarted process is the one that settled them', () => {
    expect(second.lines.filter((line) => line.includes('"request settled"'))).toHaveLength(2);
    expect(first.lines.some((line) => line.includes('"request settled"'))).toBe(false);
  });
});
