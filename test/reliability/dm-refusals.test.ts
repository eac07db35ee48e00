import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { notices } from '../../db/schema.js';
import { SIGNING_SECRET, startTestBot, type TestBot } from '../support/bot.js';
import { testTargets, type TestTarget } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { modalSubmission, postSigned } from '../support/slack-requests.js';
import { dmsTo, dmText, eventsOf, requestsFor, sleep, startSlackFaults, TITLES } from './harness.js';

// Real databases on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

/** Rate limited on its first two DMs: Slack answers 429 with Retry-After (seconds). */
const THROTTLED = { user: 'UTHROTTLED', phone: '+91 98765 50101', e164: '+919876550101', retryAfterS: 2, limited: 2 };
/** A DM Slack can never deliver: the user is gone. */
const GONE = { user: 'UGONE', phone: '+91 98765 50102', e164: '+919876550102' };
/** Longer than a poll (1 s) and than the first backoff: nothing more may arrive after this. */
const QUIET_MS = 2_500;

describe.each(testTargets())('DMs that Slack rate-limits or refuses for good, on $name', (target: TestTarget) => {
  let slack: FakeSlack;
  let faults: Awaited<ReturnType<typeof startSlackFaults>>;
  let bot: TestBot;
  const toUser = (user: string) => faults.faulted.filter((f) => f.method === 'chat.postMessage' && f.args.channel === user);
  const noticeOf = async (e164: string) => {
    const [row] = await requestsFor(bot.database.db, e164);
    return row ? (await bot.database.db.select().from(notices).where(eq(notices.requestId, row.id)))[0] : undefined;
  };

  beforeAll(async () => {
    slack = await startFakeSlack();
    let limited = 0;
    faults = await startSlackFaults(slack, (method, args) => {
      if (method !== 'chat.postMessage') return undefined;
      if (args.channel === THROTTLED.user && limited++ < THROTTLED.limited) {
        return { status: 429, headers: { 'retry-after': String(THROTTLED.retryAfterS) }, body: { ok: false, error: 'ratelimited' } };
      }
      return args.channel === GONE.user ? { status: 200, body: { ok: false, error: 'user_not_found' } } : undefined;
    });
    bot = await startTestBot(target, slack, { SLACK_API_URL: faults.url });
    for (const who of [THROTTLED, GONE]) {
      const form = modalSubmission(
        { firstName: 'Refused', lastName: 'Person', country: 'IN', phone: who.phone },
        { userId: who.user, viewId: `V${who.user}` },
      );
      expect((await postSigned(bot.events, SIGNING_SECRET, form)).status).toBe(200);
    }
    await eventually(async () => (dmsTo(slack, THROTTLED.user).length > 0 ? true : undefined), 30_000, 'the DM after the rate limit');
    await eventually(
      async () => ((await noticeOf(GONE.e164))?.state !== 'waiting' ? true : undefined),
      20_000,
      'the refused notice closed',
    );
    await sleep(QUIET_MS);
  });

  afterAll(async () => {
    await bot?.close();
    await faults?.close();
    await slack?.close();
  });

  it('a rate-limited DM arrives exactly once', () => {
    const dms = dmsTo(slack, THROTTLED.user);
    expect(dms).toHaveLength(1);
    expect(dmText(dms[0]!).startsWith(TITLES.created)).toBe(true);
  });

  it('the outbox waits out Retry-After, not the Slack client: each 429 is an attempt, the next one at or after it', async () => {
    const limitedCalls = toUser(THROTTLED.user);
    expect(limitedCalls).toHaveLength(THROTTLED.limited);
    const [row] = await requestsFor(bot.database.db, THROTTLED.e164);
    const failed = (await eventsOf(bot.database.db, row!.id)).filter((e) => e.kind === 'notify_failed');
    expect(failed).toHaveLength(THROTTLED.limited);
    for (const event of failed) {
      const retryAt = new Date((event.detail as { retryAt: string }).retryAt).getTime();
      expect(retryAt - event.at.getTime()).toBeGreaterThanOrEqual(THROTTLED.retryAfterS * 1_000);
    }
    expect(limitedCalls[1]!.at - limitedCalls[0]!.at).toBeGreaterThanOrEqual(THROTTLED.retryAfterS * 1_000);
  });

  it('a DM Slack refuses for good (user_not_found) is given up at once: one try, one log line, one event', async () => {
    expect(toUser(GONE.user)).toHaveLength(1);
    expect(await noticeOf(GONE.e164)).toMatchObject({ state: 'refused', attempts: 1 });
    const [row] = await requestsFor(bot.database.db, GONE.e164);
    const kinds = (await eventsOf(bot.database.db, row!.id)).map((e) => e.kind).filter((k) => k.startsWith('notif'));
    expect(kinds).toEqual(['notify_refused']);
    const lines = bot.logs.filter((line) => (line as { request?: number }).request === row!.id && /tell(ing)? the user/.test(line.msg));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([['error', 'gave up telling the user (created): refused for good']]);
    expect(JSON.stringify(lines[0])).toContain('chat.postMessage: An API error occurred: user_not_found');
  });
});
