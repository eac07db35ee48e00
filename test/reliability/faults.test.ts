import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { emulatorContacts } from '../../db/schema.js';
import type { RequestRow } from '../../src/audit/requests.js';
import { startTestBot, SIGNING_SECRET } from '../support/bot.js';
import { testTargets, type TestTarget } from '../support/databases.js';
import { startFakeSlack, type FakeSlack, type SlackCall } from '../support/fake-slack.js';
import { modalSubmission, postSigned } from '../support/slack-requests.js';
import {
  dmsTo,
  dmText,
  eventsOf,
  requestsFor,
  settledRequest,
  sleep,
  startEndpoint,
  startFaultProxy,
  TITLES,
  type Endpoint,
  type Fault,
  type ProxyCall,
} from './harness.js';

// Real processes and real databases on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

/**
 * Faults between the app and the contacts endpoint, driven through signed view_submission requests to the app
 * running in this process. Each scenario has its own app (own database), its own fault proxy and its own user, so
 * the scenarios run side by side and a retry of one can never share a batch with another's. The emulator behind the
 * proxies is shared per database target; every scenario uses a number of its own.
 *
 * All scenarios of all targets start together in `beforeAll` (embedded databases block this process's event loop,
 * so running them side by side instead of a few at a time keeps the file short); each test then checks one.
 */

/**
 * Generous enough that a loaded machine (several embedded databases in one process) never times out a call the
 * proxy passes straight through; the slow-answer scenario uses a shorter timeout of its own.
 */
const NORMAL = { KORE_TIMEOUT_SECONDS: '5', DELIVERY_LEASE_SECONDS: '15' };
/** The lease is well past the timeout, so a loaded process never loses a call it is still waiting for to its own poller. */
const SHORT_TIMEOUT = { KORE_TIMEOUT_SECONDS: '2', DELIVERY_LEASE_SECONDS: '6' };
/** Longer than a poll (1 s): nothing more may arrive after the outcome. */
const QUIET_MS = 1_300;

interface Scenario {
  name: string;
  user: string;
  phone: string;
  e164: string;
  faults: Fault[];
  env: Record<string, string>;
  /** How many identical submissions to post at once (a double click, Slack's retries). */
  submissions?: number;
}

const scenarios = {
  twice503: {
    name: 'two 503s',
    user: 'U503',
    phone: '+91 98765 10001',
    e164: '+919876510001',
    faults: [
      { kind: 'status', status: 503 },
      { kind: 'status', status: 503, body: 'Service Unavailable' },
    ],
    env: NORMAL,
  },
  rateLimited: {
    name: '429 with Retry-After: 1',
    user: 'U429',
    phone: '+91 98765 10002',
    e164: '+919876510002',
    faults: [
      {
        kind: 'status',
        status: 429,
        headers: { 'retry-after': '1' },
        body: { errors: [{ msg: 'Too many requests', code: 'RATE_LIMIT' }] },
      },
    ],
    env: NORMAL,
  },
  reset: {
    name: 'a connection reset',
    user: 'URST',
    phone: '+91 98765 10003',
    e164: '+919876510003',
    faults: [{ kind: 'reset' }],
    env: NORMAL,
  },
  slow: {
    name: 'an answer slower than KORE_TIMEOUT_SECONDS (the contact was created)',
    user: 'USLOW',
    phone: '+91 98765 10004',
    e164: '+919876510004',
    faults: [{ kind: 'slow', delayMs: 4_000 }],
    env: SHORT_TIMEOUT,
  },
  doubleSubmit: {
    name: 'three identical submissions while the endpoint answers 503',
    user: 'UTWICE',
    phone: '+91 98765 10006',
    e164: '+919876510006',
    faults: [{ kind: 'status', status: 503 }],
    env: NORMAL,
    submissions: 3,
  },
  takenElsewhere: {
    name: 'a 429, then someone else creates the number in Kore.ai before the retry',
    user: 'UELSE',
    phone: '+91 98765 10008',
    e164: '+919876510008',
    faults: [{ kind: 'status', status: 429, headers: { 'retry-after': '1' } }],
    env: NORMAL,
  },
  deadline: {
    name: 'an endpoint down past DELIVERY_DEADLINE_MINUTES',
    user: 'UDOWN',
    phone: '+91 98765 10007',
    e164: '+919876510007',
    faults: Array.from({ length: 100 }, () => ({ kind: 'status', status: 503 }) as const),
    env: { ...NORMAL, DELIVERY_DEADLINE_MINUTES: '0.1' },
  },
} satisfies Record<string, Scenario>;

/** Everything a user (or an admin looking at the database) could check after a scenario. */
interface Observed {
  answers: { status: number; body: unknown }[];
  /** The answer to the same submission posted again after the outcome. */
  late: unknown;
  rows: RequestRow[];
  row: RequestRow;
  events: { kind: string; detail: unknown }[];
  calls: ProxyCall[];
  contacts: { id: string }[];
  dms: SlackCall[];
}

async function observe(target: TestTarget, slack: FakeSlack, endpoint: Endpoint, s: Scenario): Promise<Observed> {
  const queue = [...s.faults];
  let elsewhere: Promise<unknown> | undefined;
  const proxy = await startFaultProxy(endpoint.emulator.url, (call) => {
    // Someone creates the number in Kore.ai directly while our request waits for its retry.
    if (s.user === scenarios.takenElsewhere.user && call.n === 1) elsewhere = createElsewhere(endpoint, s.e164);
    return queue.shift() ?? { kind: 'pass' };
  });
  const bot = await startTestBot(target, slack, { ...endpoint.env(proxy.url), ...s.env });
  try {
    const submission = modalSubmission(
      { salutation: 'Ms', firstName: 'Fault', lastName: s.user, country: 'IN', phone: s.phone },
      { userId: s.user, viewId: `V${s.user}` },
    );
    const answers = await Promise.all(
      Array.from({ length: s.submissions ?? 1 }, async () => {
        const res = await postSigned(bot.events, SIGNING_SECRET, submission);
        return { status: res.status, body: (await res.json()) as unknown };
      }),
    );
    const row = await settledRequest(bot.database.db, s.e164, 25_000);
    await elsewhere;
    const late = (await (await postSigned(bot.events, SIGNING_SECRET, submission)).json()) as unknown;
    await sleep(QUIET_MS);
    return {
      answers,
      late,
      rows: await requestsFor(bot.database.db, s.e164),
      row,
      events: await eventsOf(bot.database.db, row.id),
      calls: proxy.callsFor(s.e164),
      contacts: await endpoint.contacts(s.e164),
      dms: dmsTo(slack, s.user),
    };
  } finally {
    await bot.close();
    await proxy.close();
  }
}

/** A contact for this number created in Kore.ai by someone else, not through this app. */
async function createElsewhere(endpoint: Endpoint, e164: string): Promise<void> {
  await endpoint.database.db.insert(emulatorContacts).values({
    id: 'c-created-in-kore-by-someone-else',
    streamId: endpoint.identity.streamId,
    accountId: endpoint.identity.accountId,
    createdBy: 'u-someone-else',
    salutation: 'Mr',
    firstName: 'Someone',
    lastName: 'Else',
    phoneE164: e164,
    countryCode: '+91',
    extension: '+',
  });
}

interface Run {
  target: TestTarget;
  slack: FakeSlack;
  endpoint: Endpoint;
  observed: Record<keyof typeof scenarios, Promise<Observed>>;
}

const runs = new Map<string, Run>();

beforeAll(async () => {
  await Promise.all(
    testTargets().map(async (target) => {
      const slack = await startFakeSlack();
      const endpoint = await startEndpoint(target);
      const observed = Object.fromEntries(
        Object.entries(scenarios).map(([key, s]) => {
          const promise = observe(target, slack, endpoint, s);
          promise.catch(() => {}); // reported by the test that awaits it
          return [key, promise];
        }),
      ) as Run['observed'];
      runs.set(target.name, { target, slack, endpoint, observed });
    }),
  );
});

afterAll(async () => {
  const figures: Record<string, unknown>[] = [];
  for (const run of runs.values()) {
    for (const [key, promise] of Object.entries(run.observed)) {
      const o = await promise.catch(() => undefined);
      if (o) {
        figures.push({
          target: run.target.name,
          scenario: key,
          calls: o.calls.length,
          injected: o.calls.filter((c) => c.fault !== 'pass').length,
          outcome: o.row.status,
          contacts: o.contacts.length,
          dms: o.dms.length,
        });
      }
    }
    await run.endpoint.close();
    await run.slack.close();
  }
  console.info(`[faults] ${JSON.stringify(figures)}`);
});

/** The request/attempt/retry/outcome events, in order. */
function flow(o: Observed): string[] {
  return o.events.map((e) => e.kind).filter((k) => ['recorded', 'attempt', 'retry', 'settled'].includes(k));
}

/** What every scenario that ends well has in common. */
function expectOneContactOneRequestTwoDms(o: Observed, s: Scenario, outcome: 'created' | 'duplicate'): void {
  expect(o.answers.every((a) => a.status === 200)).toBe(true);
  expect(o.answers[0]!.body).toMatchObject({ response_action: 'update' });
  // Exactly one contact for the number in the endpoint's own store, and one request for it here.
  expect(o.contacts).toHaveLength(1);
  expect(o.rows).toHaveLength(1);
  expect(o.row.status).toBe(outcome);
  // The endpoint saw the injected faults, then one call that went through; each call is an attempt in the trail.
  expect(o.calls.map((c) => c.fault)).toEqual([...s.faults.map((f) => f.kind), 'pass']);
  expect(o.row.attempts).toBe(o.calls.length);
  expect(flow(o)).toEqual(['recorded', ...s.faults.flatMap(() => ['attempt', 'retry']), 'attempt', 'settled']);
  expect(o.events.filter((e) => e.kind === 'attempt').map((e) => (e.detail as { attempt: number }).attempt)).toEqual(
    o.calls.map((_, i) => i + 1),
  );
  // The user: exactly one "queued" DM, then exactly one outcome DM, nothing else.
  expect(o.dms.map((c) => dmText(c).split('\n')[0])).toEqual([TITLES.queued, TITLES[outcome]]);
  expect(o.events.filter((e) => e.kind === 'notified').map((e) => (e.detail as { what: string }).what)).toEqual(['queued', outcome]);
  if (outcome === 'created') {
    expect(o.row.contactId).toBe(o.contacts[0]!.id);
    expect(dmText(o.dms[1]!)).toContain(o.row.contactId!);
  }
}

describe.each(testTargets())('faults between the app and the endpoint, on $name', (target) => {
  const observed = async (key: keyof typeof scenarios) => runs.get(target.name)!.observed[key];

  it('two 503s: retried, one contact created, one queued DM and one outcome DM', async () => {
    expectOneContactOneRequestTwoDms(await observed('twice503'), scenarios.twice503, 'created');
  });

  it('429 with Retry-After: 1: retried no sooner than asked, one contact created, two DMs', async () => {
    const o = await observed('rateLimited');
    expectOneContactOneRequestTwoDms(o, scenarios.rateLimited, 'created');
    // Backoff alone would allow 0.5 s after a first attempt; Retry-After asks for 1 s.
    expect(o.calls[1]!.receivedAt - o.calls[0]!.answeredAt!).toBeGreaterThanOrEqual(950);
  });

  it('a connection reset: retried, one contact created, two DMs', async () => {
    expectOneContactOneRequestTwoDms(await observed('reset'), scenarios.reset, 'created');
  });

  it('an answer slower than the timeout: the retry meets our own contact; the user is told so honestly', async () => {
    const o = await observed('slow');
    expectOneContactOneRequestTwoDms(o, scenarios.slow, 'duplicate');
    // The first, timed-out call did reach the endpoint and created the contact.
    expect(o.calls[0]!.upstreamStatus).toBe(200);
    expect(o.calls[1]!.upstreamStatus).toBe(409);
    expect(o.row.error).toMatchObject({ kind: 'duplicate', afterUncertainAttempt: true });
    const text = dmText(o.dms[1]!);
    expect(text).toContain('An earlier attempt of this same request most likely created it');
    expect(text).not.toMatch(/<@/); // no other user is named
    expect(text).not.toContain('created through this app by');
  });

  it('a double-clicked (or Slack-retried) submission while the endpoint is down: one request, one contact, two DMs', async () => {
    const o = await observed('doubleSubmit');
    expect(o.answers).toHaveLength(3);
    expectOneContactOneRequestTwoDms(o, scenarios.doubleSubmit, 'created');
    // Slack retrying after the outcome is answered with that outcome; nothing is sent again.
    expect(JSON.stringify(o.late)).toContain(o.row.contactId!);
  });

  it('an endpoint down past DELIVERY_DEADLINE_MINUTES: the request fails and the user is told', async () => {
    const o = await observed('deadline');
    expect(o.rows).toHaveLength(1);
    expect(o.row.status).toBe('failed');
    expect(o.contacts).toHaveLength(0);
    expect(o.calls.length).toBeGreaterThanOrEqual(2);
    expect(o.calls.every((c) => c.fault === 'status')).toBe(true);
    expect(o.row.attempts).toBe(o.calls.length);
    expect(o.events.filter((e) => e.kind === 'attempt')).toHaveLength(o.calls.length);
    expect(o.events.filter((e) => e.kind === 'retry')).toHaveLength(o.calls.length - 1);
    expect(o.dms.map((c) => dmText(c).split('\n')[0])).toEqual([TITLES.queued, TITLES.failed]);
    expect(dmText(o.dms[1]!)).toContain(`after ${o.row.attempts} attempts`);
  });

  // Here the only earlier attempt was answered 429 — the endpoint said it did nothing — so the contact cannot be
  // ours: the user must not be told their own earlier attempt most likely created it.
  it('a 429 and then a number taken elsewhere: the duplicate is not blamed on our own earlier attempt', async () => {
    const o = await observed('takenElsewhere');
    expect(o.row.status).toBe('duplicate');
    expect(o.contacts.map((c) => c.id)).toEqual(['c-created-in-kore-by-someone-else']);
    expect(o.calls.map((c) => c.upstreamStatus)).toEqual([undefined, 409]);
    expect(o.dms.map((c) => dmText(c).split('\n')[0])).toEqual([TITLES.queued, TITLES.duplicate]);
    expect(dmText(o.dms[1]!)).not.toContain('An earlier attempt of this same request most likely created it');
    expect(o.row.error).not.toMatchObject({ afterUncertainAttempt: true });
  });
});
