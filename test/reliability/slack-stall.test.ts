import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestBot, SIGNING_SECRET } from '../support/bot.js';
import { testTargets, type TestTarget } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { modalSubmission, postSigned } from '../support/slack-requests.js';
import { eventsOf, requestsFor, startEndpoint, startFaultProxy, startSlackFaults, type Endpoint } from './harness.js';

// Real processes and real databases on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

/** Generous enough that a loaded machine never times out a call the proxy passes straight through. */
const NORMAL = { KORE_TIMEOUT_SECONDS: '5', DELIVERY_LEASE_SECONDS: '15' };

/** What a stalled Slack DM does to the delivery of other requests. */
interface SlackStall {
  /** How long the second request waited, once due, for its retry to settle it (undefined: not within the limit). */
  otherSettledAfterMs?: number;
  /** When the stalled DM's call was refused with 429. */
  stalledAt: number;
  xStatus: string;
  yStatus: string;
}

const STALL_RETRY_AFTER_S = 30;
/** Unstalled, the other request settles 1–3 s after it is due (5 s on a loaded machine). */
const OTHER_SETTLES_WITHIN_MS = 10_000;

/**
 * X's outcome DM meets Slack's rate limit (429, Retry-After: 30) — after an outage many DMs go out at once, so this is
 * what Slack answers then. Meanwhile Y, queued by a 503, comes due for its retry: is Y still delivered?
 */
async function observeSlackStall(target: TestTarget, endpoint: Endpoint): Promise<SlackStall> {
  const X = { user: 'USTALLX', phone: '+91 98765 10011', e164: '+919876510011' };
  const Y = { user: 'USTALLY', phone: '+91 98765 10012', e164: '+919876510012' };
  const slack = await startFakeSlack();
  const dmsFor = new Map<string, number>();
  const slackFaults = await startSlackFaults(slack, (method, args) => {
    if (method !== 'chat.postMessage') return undefined;
    const channel = String(args.channel);
    dmsFor.set(channel, (dmsFor.get(channel) ?? 0) + 1);
    // X's second DM (the outcome, after the queued notice), first try only.
    return channel === X.user && dmsFor.get(channel) === 2
      ? { status: 429, headers: { 'retry-after': String(STALL_RETRY_AFTER_S) }, body: { ok: false, error: 'ratelimited' } }
      : undefined;
  });
  const seen = new Set<string>();
  const proxy = await startFaultProxy(endpoint.emulator.url, (call) => {
    const number = call.numbers[0] ?? '';
    if (call.numbers.length === 1 && !seen.has(number)) {
      seen.add(number);
      return { kind: 'status', status: 503 };
    }
    return { kind: 'pass' };
  });
  const bot = await startTestBot(target, slack, { ...endpoint.env(proxy.url), ...NORMAL, SLACK_API_URL: slackFaults.url });
  try {
    const submit = (who: typeof X) =>
      postSigned(
        bot.events,
        SIGNING_SECRET,
        modalSubmission(
          { firstName: 'Stall', lastName: who.user, country: 'IN', phone: who.phone },
          { userId: who.user, viewId: `V${who.user}` },
        ),
      );
    await submit(X);
    await eventually(async () => (slackFaults.faulted.length > 0 ? true : undefined), 20_000, "X's outcome DM stalled");
    const stalledAt = slackFaults.faulted[0]!.at;
    await submit(Y);
    // Y's first attempt met a 503; its retry is due within a second or two.
    const queuedAt = await eventually(
      async () =>
        (await eventsOf(bot.database.db, (await requestsFor(bot.database.db, Y.e164))[0]?.id ?? -1)).some((e) => e.kind === 'retry')
          ? Date.now()
          : undefined,
      10_000,
      'Y queued',
    );
    const settled = await eventually(
      async () => {
        const [row] = await requestsFor(bot.database.db, Y.e164);
        return row && row.status !== 'pending' ? Date.now() : undefined;
      },
      OTHER_SETTLES_WITHIN_MS,
      'Y settled',
    ).catch(() => undefined);
    const [x] = await requestsFor(bot.database.db, X.e164);
    const [y] = await requestsFor(bot.database.db, Y.e164);
    return { otherSettledAfterMs: settled && settled - queuedAt, stalledAt, xStatus: x!.status, yStatus: y!.status };
  } finally {
    await bot.close();
    await proxy.close();
    await slackFaults.close();
    await slack.close();
  }
}

describe.each(testTargets())('a stalled DM, on $name', (target) => {
  let endpoint: Endpoint;
  let stall: Promise<SlackStall>;
  beforeAll(async () => {
    endpoint = await startEndpoint(target);
    stall = observeSlackStall(target, endpoint);
    stall.catch(() => {}); // reported by the test that awaits it
  });
  afterAll(async () => {
    console.info(`[slack-stall] ${JSON.stringify({ target: target.name, ...(await stall.catch(() => undefined)) })}`);
    await endpoint?.close();
  });

  // The Slack client honours Retry-After; one DM held up by Slack must not hold up other requests' deliveries.
  it(`a DM that Slack rate-limits (Retry-After: ${STALL_RETRY_AFTER_S}) does not hold up the delivery of other requests`, async () => {
    const observed = await stall;
    expect(observed.xStatus).toBe('created');
    expect(
      observed.otherSettledAfterMs,
      `the other request was still ${observed.yStatus} ${OTHER_SETTLES_WITHIN_MS} ms after its retry was due`,
    ).toBeDefined();
  });
});
