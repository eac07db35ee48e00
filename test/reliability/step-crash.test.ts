import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { replyTokens } from '../../db/schema.js';
import type { Database } from '../../src/database.js';
import { SIGNING_SECRET } from '../support/bot.js';
import { openTestPostgres, testTargets, type Scratch } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack, type FakeSlack, type SlackCall } from '../support/fake-slack.js';
import { functionExecuted } from '../support/slack-requests.js';
import {
  eventsOf,
  rawPost,
  requestsFor,
  signedHeaders,
  sleep,
  startEndpoint,
  startFaultProxy,
  type Endpoint,
  type FaultProxy,
} from './harness.js';
import { killAllSpawned, spawnApp, type AppProcess } from './processes.js';

// Real processes and real databases on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

/**
 * kill -9 between a workflow step's record and its request's settling, with two executions on the books:
 * - QUEUED: its first call met a 503 and it waits for its retry;
 * - IN FLIGHT: its call reached the endpoint, which created the contact, but the answer never came back.
 * A new process on the same database settles both and completes each step once, with the execution's token it kept.
 * PostgreSQL only: the embedded database belongs to one process at a time.
 */
const postgres = testTargets().find((t) => t.name === 'postgres');

const QUEUED = { executionId: 'Fx0CRASHQUEUED', phone: '+91 98765 40001', e164: '+919876540001' };
const IN_FLIGHT = { executionId: 'Fx0CRASHINFLIGHT', phone: '+91 98765 40002', e164: '+919876540002' };
const ENV = { KORE_TIMEOUT_SECONDS: '1.5', DELIVERY_LEASE_SECONDS: '3', LOG_LEVEL: 'debug' };
const tokenOf = (executionId: string) => `xwfp-${executionId}-execution-token`;

/** Posts the step's event for `who` to `app`, signed and as JSON, as the Events API does. */
function execute(app: AppProcess, who: typeof QUEUED) {
  const body = JSON.stringify(
    functionExecuted({
      executionId: who.executionId,
      inputs: { salutation: 'Ms', first_name: 'Crash', last_name: who.executionId, phone_number: who.phone, requested_by: 'U7' },
      token: tokenOf(who.executionId),
    }),
  );
  return rawPost(app.events, body, { ...signedHeaders(SIGNING_SECRET, body), 'content-type': 'application/json' });
}

function completions(slack: FakeSlack, executionId: string): SlackCall[] {
  return slack.calls.filter((c) => c.method.startsWith('functions.complete') && c.args.function_execution_id === executionId);
}

describe.runIf(postgres)('kill -9 between a workflow step’s record and its settling (PostgreSQL only: needs TEST_DATABASE_URL)', () => {
  let slack: FakeSlack;
  let endpoint: Endpoint;
  let proxy: FaultProxy;
  let place: Scratch;
  let database: Database;
  let first: AppProcess;
  let second: AppProcess;
  const pendingAtKill: string[] = [];

  beforeAll(async () => {
    slack = await startFakeSlack();
    endpoint = await startEndpoint(postgres!);
    let killed = false;
    proxy = await startFaultProxy(endpoint.emulator.url, (call) => {
      if (!killed && call.numbers.includes(QUEUED.e164)) return { kind: 'status', status: 503 };
      if (!killed && call.numbers.includes(IN_FLIGHT.e164)) return { kind: 'hold' };
      return { kind: 'pass' };
    });
    place = await postgres!.scratch();
    const env = { ...ENV, ...place.env, ...endpoint.env(proxy.url), SLACK_API_URL: slack.url };
    first = await spawnApp(env);
    database = await openTestPostgres((place.env as { DATABASE_URL: string }).DATABASE_URL);

    expect((await execute(first, QUEUED)).status).toBe(200);
    await eventually(
      async () => {
        const [row] = await requestsFor(database.db, QUEUED.e164);
        return row && (await eventsOf(database.db, row.id)).some((e) => e.kind === 'retry') ? true : undefined;
      },
      15_000,
      'the queued execution waits for its retry',
    );
    expect((await execute(first, IN_FLIGHT)).status).toBe(200);
    await eventually(
      async () => (proxy.callsFor(IN_FLIGHT.e164)[0]?.upstreamStatus === 200 ? true : undefined),
      15_000,
      'the call reached the emulator',
    );

    first.signal('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    killed = true;
    for (const who of [QUEUED, IN_FLIGHT]) {
      const [row] = await requestsFor(database.db, who.e164);
      if (row?.status === 'pending') pendingAtKill.push(who.executionId);
    }

    second = await spawnApp(env);
    for (const who of [QUEUED, IN_FLIGHT]) {
      await slack.waitFor('functions.completeSuccess', (c) => c.args.function_execution_id === who.executionId, 30_000);
    }
    await sleep(1_300); // a poll more: nothing else may happen
  });

  afterAll(async () => {
    await killAllSpawned();
    await database?.close();
    await proxy?.close();
    await endpoint?.close();
    await slack?.close();
    await place?.remove();
  });

  it('left both requests pending, with no step completed, when the process died', () => {
    expect(pendingAtKill).toEqual([QUEUED.executionId, IN_FLIGHT.executionId]);
    expect(first.lines.some((line) => line.includes('"request settled"'))).toBe(false);
  });

  it('the restarted process completed the queued step once, created, with the execution’s own token', async () => {
    const calls = completions(slack, QUEUED.executionId);
    expect(calls.map((c) => c.method)).toEqual(['functions.completeSuccess']);
    expect(calls[0]!.token).toBe(tokenOf(QUEUED.executionId));
    const [contact] = await endpoint.contacts(QUEUED.e164);
    expect(calls[0]!.args.outputs).toMatchObject({ contact_id: contact!.id, status: 'created', phone_number: QUEUED.e164 });
  });

  it('completed the in-flight step once, as the duplicate its own lost attempt made, saying so', async () => {
    const calls = completions(slack, IN_FLIGHT.executionId);
    expect(calls.map((c) => c.method)).toEqual(['functions.completeSuccess']);
    expect(calls[0]!.token).toBe(tokenOf(IN_FLIGHT.executionId));
    expect(calls[0]!.args.outputs).toMatchObject({ status: 'duplicate', phone_number: IN_FLIGHT.e164 });
    expect(String((calls[0]!.args.outputs as { message: string }).message)).toContain(
      'An earlier attempt of this same request most likely created it',
    );
    expect(await endpoint.contacts(IN_FLIGHT.e164)).toHaveLength(1);
  });

  it('forgot both tokens once the steps were completed', async () => {
    await eventually(
      async () => ((await database.db.select().from(replyTokens)).length === 0 ? true : undefined),
      5_000,
      'tokens forgotten',
    );
  });

  it('never wrote a token to the log', () => {
    const output = [...first.lines, ...second.lines, ...first.stderr, ...second.stderr].join('\n');
    for (const who of [QUEUED, IN_FLIGHT]) expect(output).not.toContain(tokenOf(who.executionId));
  });
});
