import type { ExpectStatic } from 'vitest';
import { contactRequests } from '../../db/schema.js';
import type { Db } from '../../src/database.js';
import { SIGNING_SECRET } from '../support/bot.js';
import type { TestTarget } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { modalSubmission } from '../support/slack-requests.js';
import {
  dmsTo,
  dmText,
  postSignedRaw,
  sleep,
  startEndpoint,
  startFaultProxy,
  TITLES,
  type Endpoint,
  type FaultProxy,
  type ProxyCall,
} from './harness.js';

/**
 * Issue 10's "done when": a burst of 30 submissions against an endpoint that allows 6 calls per rolling minute, with
 * `KORE_RATE_LIMIT_PER_MIN=6`, ends with 30 contacts, at most 6 calls in any 60 s and no rate-limited answer.
 */
export const BURST = 30;
export const CALLS_PER_MINUTE = 6;
const MINUTE = 60_000;
/**
 * Six calls go at once and the rest together when the first of them leaves the window: a little over a minute. Far
 * past that, and far short of the five minutes that one contact per call would take.
 */
const CREATED_WITHIN_MS = 120_000;
/** Longer than a poll (1 s): nothing more may happen after the last outcome. */
const QUIET_MS = 1_300;
/** The emulator on loopback answers at once; a call still unanswered after this is reported as such. */
const ANSWERED_WITHIN_MS = 10_000;

/** One agent of the burst, with a number of their own. */
export interface Agent {
  user: string;
  typed: string;
  e164: string;
}

/** `count` agents, user ids `U<tag>00`, `U<tag>01`, …, each with a distinct Indian mobile number. */
export function agents(tag: string, count = BURST): Agent[] {
  return Array.from({ length: count }, (_, i) => {
    const serial = String(i).padStart(2, '0');
    return { user: `U${tag}${serial}`, typed: `+91 98765 400${serial}`, e164: `+9198765400${serial}` };
  });
}

/** The emulator enforcing `CALLS_PER_MINUTE`, behind a proxy that records every call's arrival and the answer it got. */
export interface LimitedEndpoint {
  endpoint: Endpoint;
  recorder: FaultProxy;
  /** The app's settings: the endpoint through the recorder, and a budget of `CALLS_PER_MINUTE`. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startLimitedEndpoint(target: TestTarget): Promise<LimitedEndpoint> {
  const endpoint = await startEndpoint(target, { callsPerMinute: CALLS_PER_MINUTE });
  const recorder = await startFaultProxy(endpoint.emulator.url, () => ({ kind: 'pass' }));
  return {
    endpoint,
    recorder,
    env: { ...endpoint.env(recorder.url), KORE_RATE_LIMIT_PER_MIN: String(CALLS_PER_MINUTE) },
    close: async () => {
      await recorder.close();
      await endpoint.close();
    },
  };
}

/** Posts the agent's signed contact modal submission to the app at `events`; resolves with the HTTP status. */
export async function submit(events: string, agent: Agent): Promise<number> {
  const answer = await postSignedRaw(
    events,
    SIGNING_SECRET,
    modalSubmission(
      { salutation: 'Ms', firstName: 'Burst', lastName: agent.user, country: 'IN', phone: agent.typed },
      { userId: agent.user, viewId: `V${agent.user}` },
    ),
  );
  return answer.status;
}

function succeeded(call: ProxyCall): boolean {
  return call.upstreamStatus !== undefined && call.upstreamStatus >= 200 && call.upstreamStatus < 300;
}

/** The most calls that arrived within 60 s of one call's arrival, that one included. */
export function busiestMinute(calls: ProxyCall[]): number {
  const times = calls.map((c) => c.receivedAt).sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, next = 0; first < times.length; first += 1) {
    while (next < times.length && times[next]! < times[first]! + MINUTE) next += 1;
    most = Math.max(most, next - first);
  }
  return most;
}

/** Whether the endpoint has already refused a call, or more calls arrived in a minute than the budget allows. */
function budgetBroken(recorder: FaultProxy): boolean {
  const answered = recorder.calls.filter((c) => c.upstreamStatus !== undefined);
  return answered.some((c) => !succeeded(c)) || busiestMinute(recorder.calls) > CALLS_PER_MINUTE;
}

function toldCreated(slack: FakeSlack, agent: Agent): boolean {
  return dmsTo(slack, agent.user).some((c) => dmText(c).startsWith(TITLES.created));
}

/**
 * Waits until every agent was told by DM that their contact was created. Stops waiting as soon as the budget is
 * broken, since waiting longer cannot mend that; and when the wait runs out, the checks that follow say what is
 * missing.
 */
export async function burstOutcome(slack: FakeSlack, recorder: FaultProxy, group: Agent[]): Promise<void> {
  await eventually(
    async () => (budgetBroken(recorder) || group.every((a) => toldCreated(slack, a)) ? true : undefined),
    CREATED_WITHIN_MS,
    `${group.length} agents told their contact was created`,
  ).catch(() => undefined);
  // A poll more, with every call in flight answered: the checks judge the whole burst, not a moment of it.
  await sleep(QUIET_MS);
  await eventually(
    async () => (recorder.calls.every((c) => c.answeredAt !== undefined) ? true : undefined),
    ANSWERED_WITHIN_MS,
    'every call answered',
  ).catch(() => undefined);
}

/**
 * The verdict on a burst, each part reported on its own: no call refused, no more than the budget in any
 * minute, the waiting contacts sent together, every contact in the endpoint and created in the audit trail (`db`),
 * and every agent told.
 */
export async function expectBurstDelivered(
  expect: ExpectStatic,
  run: { db: Db; slack: FakeSlack; limited: LimitedEndpoint; group: Agent[] },
): Promise<void> {
  const { calls } = run.limited.recorder;
  expect
    .soft(
      calls.filter((c) => !succeeded(c)).map((c) => c.upstreamStatus ?? 'no answer'),
      'answers other than 2xx',
    )
    .toEqual([]);
  expect.soft(busiestMinute(calls), `the most calls in 60 s (of ${calls.length})`).toBeLessThanOrEqual(CALLS_PER_MINUTE);
  expect
    .soft(calls.length, `calls for ${run.group.length} contacts: waiting contacts go together`)
    .toBeLessThanOrEqual(2 * CALLS_PER_MINUTE);

  const held = await run.limited.endpoint.contacts();
  const numbers = run.group.map((a) => a.e164).sort();
  expect.soft(held.map((c) => c.phoneE164).sort(), 'the numbers the endpoint holds').toEqual(numbers);

  const rows = await run.db.select().from(contactRequests);
  expect.soft(rows.map((r) => r.phoneE164).sort(), 'one request per number').toEqual(numbers);
  const ids = new Map(held.map((c) => [c.phoneE164, c.id]));
  const notCreated = rows.filter((r) => r.status !== 'created' || r.contactId !== ids.get(r.phoneE164));
  expect
    .soft(
      notCreated.map((r) => `${r.phoneE164} ${r.status}`),
      "requests not created with the endpoint's id",
    )
    .toEqual([]);

  expect
    .soft(
      run.group.filter((a) => !toldCreated(run.slack, a)).map((a) => a.user),
      'agents not told it was created',
    )
    .toEqual([]);
}

/** What a run came to, for the log. */
export function burstFigures(limited: LimitedEndpoint): Record<string, unknown> {
  const { calls } = limited.recorder;
  const first = calls[0]?.receivedAt ?? 0;
  return {
    calls: calls.map((c) => `+${((c.receivedAt - first) / 1000).toFixed(1)}s ${c.numbers.length}→${c.upstreamStatus ?? '-'}`),
    busiestMinute: busiestMinute(calls),
  };
}
