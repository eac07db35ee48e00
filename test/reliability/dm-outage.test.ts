import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requestEvents } from '../../db/schema.js';
import { recordRequest } from '../../src/audit/requests.js';
import { validateContact } from '../../src/contact/validate.js';
import type { Database } from '../../src/database.js';
import { SIGNING_SECRET, startTestBot, type TestBot } from '../support/bot.js';
import { openTestPostgres, testTargets, type Scratch, type TestTarget } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { modalSubmission, postSigned } from '../support/slack-requests.js';
import { dmsTo, dmText, eventsOf, pendingCount, requestsFor, sleep, startSlackFaults, TITLES } from './harness.js';
import { killAllSpawned, spawnApp } from './processes.js';

// Real processes and real databases on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

/** A Slack outage of a while: chat.postMessage refused, as Slack answers when it is down. */
async function slackWithOutage(slack: FakeSlack) {
  const state = { down: true };
  const faults = await startSlackFaults(slack, (method) =>
    state.down && method === 'chat.postMessage' ? { status: 200, body: { ok: false, error: 'internal_error' } } : undefined,
  );
  return { state, faults };
}

/** Longer than a poll (1 s): nothing more may arrive after the last DM. */
const QUIET_MS = 1_500;

describe.each(testTargets())('outcome DMs during a Slack outage, on $name', (target: TestTarget) => {
  const USER = { user: 'UOUTAGE', phone: '+91 98765 50001', e164: '+919876550001' };
  let slack: FakeSlack;
  let outage: Awaited<ReturnType<typeof slackWithOutage>>;
  let bot: TestBot;
  let failedWhileDown = 0;

  beforeAll(async () => {
    slack = await startFakeSlack();
    outage = await slackWithOutage(slack);
    bot = await startTestBot(target, slack, { SLACK_API_URL: outage.faults.url });
    const answer = await postSigned(
      bot.events,
      SIGNING_SECRET,
      modalSubmission(
        { firstName: 'Outage', lastName: 'Person', country: 'IN', phone: USER.phone },
        { userId: USER.user, viewId: `V${USER.user}` },
      ),
    );
    expect(answer.status).toBe(200);
    // Settled, and its DM refused at least twice (the first try and a retry from the database).
    failedWhileDown = await eventually(
      async () => {
        const [row] = await requestsFor(bot.database.db, USER.e164);
        const failed = row ? (await eventsOf(bot.database.db, row.id)).filter((e) => e.kind === 'notify_failed').length : 0;
        return row?.status === 'created' && failed >= 2 ? failed : undefined;
      },
      30_000,
      'settled with its DM refused twice',
    );
    outage.state.down = false;
    await eventually(async () => (dmsTo(slack, USER.user).length > 0 ? true : undefined), 30_000, 'the DM after Slack recovered');
    await sleep(QUIET_MS);
  });

  afterAll(async () => {
    await bot?.close();
    await outage?.faults.close();
    await slack?.close();
  });

  it('tells the user the outcome exactly once, after Slack recovers', async () => {
    expect(failedWhileDown).toBeGreaterThanOrEqual(2);
    const dms = dmsTo(slack, USER.user);
    expect(dms).toHaveLength(1);
    expect(dmText(dms[0]!).startsWith(TITLES.created)).toBe(true);
  });

  it('names the Web API method in every refusal it logs', async () => {
    const refusals = bot.logs.filter((line) => line.msg.startsWith('could not tell the user'));
    expect(refusals.length).toBeGreaterThanOrEqual(2);
    for (const line of refusals) expect(JSON.stringify(line)).toContain('chat.postMessage');
  });

  it('keeps every refusal and the one delivery in the audit trail', async () => {
    const [row] = await requestsFor(bot.database.db, USER.e164);
    const events = await eventsOf(bot.database.db, row!.id);
    expect(events.filter((e) => e.kind === 'notify_failed').length).toBeGreaterThanOrEqual(2);
    expect(events.filter((e) => e.kind === 'notified').map((e) => (e.detail as { what: string }).what)).toEqual(['created']);
  });
});

const postgres = testTargets().find((t) => t.name === 'postgres');
const COUNT = 20;

describe.runIf(postgres)('outcome DMs during a Slack outage, two instances on one database (postgres)', () => {
  let slack: FakeSlack;
  let outage: Awaited<ReturnType<typeof slackWithOutage>>;
  let place: Scratch;
  let database: Database;

  const count = async (kind: string) =>
    (
      (await database.db.select({ n: sql<number>`count(*)::int` }).from(requestEvents).where(eq(requestEvents.kind, kind))) as [
        { n: number },
      ]
    )[0].n;

  beforeAll(async () => {
    slack = await startFakeSlack();
    outage = await slackWithOutage(slack);
    place = await postgres!.scratch();
    database = await openTestPostgres((place.env as { DATABASE_URL: string }).DATABASE_URL);
    for (let i = 0; i < COUNT; i++) {
      const checked = validateContact({ firstName: 'Outage', lastName: `Person ${i}`, phone: `+9198765${String(51_000 + i)}` }, 'IN');
      if (!checked.ok) throw new Error(`invalid test number ${i}`);
      await recordRequest(database.db, {
        idempotencyKey: `outage-${i}`,
        teamId: 'T1',
        userId: `UO${i}`,
        source: 'slash',
        reply: { kind: 'modal', viewId: `V-outage-${i}` },
        contact: checked.contact,
      });
    }
    const env = { ...place.env, SLACK_API_URL: outage.faults.url, LOG_LEVEL: 'info' };
    await Promise.all([spawnApp(env), spawnApp(env)]);
    await eventually(
      async () => {
        const pending = await pendingCount(database.db);
        return pending === 0 && (await count('notify_failed')) >= COUNT * 2 ? true : undefined;
      },
      60_000,
      'all settled, every DM refused twice',
    );
    outage.state.down = false;
    await eventually(async () => ((await count('notified')) >= COUNT ? true : undefined), 60_000, 'every user told');
    await sleep(QUIET_MS);
  });

  afterAll(async () => {
    await killAllSpawned();
    await database?.close();
    await outage?.faults.close();
    await slack?.close();
    await place?.remove();
  });

  it('tells each user their outcome exactly once', () => {
    const dms = slack.calls.filter((c) => c.method === 'chat.postMessage');
    expect(dms).toHaveLength(COUNT);
    expect(new Set(dms.map((c) => c.args.channel)).size).toBe(COUNT);
    expect(dms.every((c) => dmText(c).startsWith(TITLES.created))).toBe(true);
  });

  it('notes one delivery per request in the audit trail', async () => {
    const rows = await database.db
      .select({ requestId: requestEvents.requestId, n: sql<number>`count(*)::int` })
      .from(requestEvents)
      .where(eq(requestEvents.kind, 'notified'))
      .groupBy(requestEvents.requestId);
    expect(rows).toHaveLength(COUNT);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
  });
});
