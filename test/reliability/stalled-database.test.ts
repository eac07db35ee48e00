import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { emulatorContacts } from '../../db/schema.js';
import type { Database } from '../../src/database.js';
import { SIGNING_SECRET, startTestBot, type TestBot } from '../support/bot.js';
import { openTestPostgres, testTargets, type Scratch } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { modalSubmission } from '../support/slack-requests.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { dmsTo, postSignedRaw, rawGet, requestsFor, settledRequest, sleep } from './harness.js';

// Real databases on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

/**
 * A database that stalls: the network path to PostgreSQL goes silent and comes back, and a table lock outlasts what
 * Slack waits. PostgreSQL only — the embedded database has no network path, and no other session can hold its locks
 * (its one connection runs one transaction at a time, in this process).
 */
const postgres = testTargets().find((t) => t.name === 'postgres');

const COULD_NOT_SAVE = 'The bot could not save this request just now. Nothing was created';

function submission(user: string, phone: string) {
  return modalSubmission(
    { salutation: 'Mr', firstName: 'Stalled', lastName: user, country: 'IN', phone },
    { userId: user, viewId: `V${user}` },
  );
}

function urlThrough(place: Scratch, proxy: TcpProxy): string {
  const url = new URL((place.env as { DATABASE_URL: string }).DATABASE_URL);
  url.hostname = proxy.host;
  url.port = String(proxy.port);
  return url.toString();
}

describe.runIf(postgres)('a network path to PostgreSQL that goes silent, then comes back (postgres)', () => {
  const LOST = { user: 'UPAUSED', phone: '+91 98765 40001', e164: '+919876540001' };
  const LATER = { user: 'URESUMED', phone: '+91 98765 40002', e164: '+919876540002' };
  let slack: FakeSlack;
  let place: Scratch;
  let proxy: TcpProxy;
  let bot: TestBot;
  let direct: Database;
  const figures: Record<string, unknown> = {};
  const seen: { paused: { health: number; submitted: string }; resumed: { health: number; submitted: string } } = {
    paused: { health: 0, submitted: '' },
    resumed: { health: 0, submitted: '' },
  };

  beforeAll(async () => {
    slack = await startFakeSlack();
    place = await postgres!.scratch();
    direct = await openTestPostgres((place.env as { DATABASE_URL: string }).DATABASE_URL);
    proxy = await startTcpProxy({
      host: '127.0.0.1',
      port: Number(new URL((place.env as { DATABASE_URL: string }).DATABASE_URL).port || 5432),
    });
    bot = await startTestBot(postgres!, slack, { DATABASE_URL: urlThrough(place, proxy) });
    expect((await rawGet(`${bot.url}/healthz`)).status).toBe(200);

    proxy.pause();
    await sleep(500); // the workers' polls now wait on silent connections
    // A load balancer keeps probing: more probes than the pool has connections.
    const probes = await Promise.all(Array.from({ length: 12 }, () => rawGet(`${bot.url}/healthz`, 10_000)));
    seen.paused.health = probes.every((p) => p.status === 503) ? 503 : probes.find((p) => p.status !== 503)!.status;
    figures.pausedHealthMs = Math.max(...probes.map((p) => p.ms));
    const lost = await postSignedRaw(bot.events, SIGNING_SECRET, submission(LOST.user, LOST.phone), 10_000);
    seen.paused.submitted = lost.body;
    figures.pausedSubmissionMs = lost.ms;
    await sleep(2_000);

    proxy.resume();
    const resumedAt = Date.now();
    await eventually(async () => ((await rawGet(`${bot.url}/healthz`, 10_000)).status === 200 ? true : undefined), 60_000, 'healthy again');
    figures.healthyMsAfterResume = Date.now() - resumedAt;
    seen.resumed.health = 200;
    seen.resumed.submitted = await eventually(
      async () => {
        const answer = await postSignedRaw(bot.events, SIGNING_SECRET, submission(LATER.user, LATER.phone), 10_000);
        return answer.body.includes('"response_action":"update"') ? answer.body : undefined;
      },
      60_000,
      'a submission recorded',
    );
    figures.recordingMsAfterResume = Date.now() - resumedAt;
  });

  afterAll(async () => {
    await bot?.close();
    await proxy?.close();
    await direct?.close();
    await place?.remove();
    await slack?.close();
    console.info(`[stalled-database] ${JSON.stringify(figures)}`);
  });

  it('while the path is silent, every /healthz probe answers 503 and a submission is told it was not saved', () => {
    expect(seen.paused.health).toBe(503);
    expect(seen.paused.submitted).toContain(COULD_NOT_SAVE);
  });

  it('once the path is back, /healthz answers 200 and a submission is recorded, delivered and told', async () => {
    expect(seen.resumed.health).toBe(200);
    const row = await settledRequest(direct.db, LATER.e164, 30_000);
    expect(row.status).toBe('created');
  });

  it('the submission refused while the path was silent was never recorded', async () => {
    expect(await requestsFor(direct.db, LOST.e164)).toEqual([]);
    expect(dmsTo(slack, LOST.user)).toEqual([]);
  });
});

describe.runIf(postgres)('a table lock that outlasts what Slack waits (postgres)', () => {
  const USER = { user: 'ULOCKED', phone: '+91 98765 40003', e164: '+919876540003' };
  const LOCK_MS = 6_000;
  let slack: FakeSlack;
  let place: Scratch;
  let bot: TestBot;
  let answer: { status: number; body: string; ms: number };

  beforeAll(async () => {
    slack = await startFakeSlack();
    place = await postgres!.scratch();
    bot = await startTestBot(postgres!, slack, place.env as { DATABASE_URL: string });
    const locker = new pg.Client({ connectionString: (place.env as { DATABASE_URL: string }).DATABASE_URL });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table contact_requests in access exclusive mode');
      const lockedAt = Date.now();
      answer = await postSignedRaw(bot.events, SIGNING_SECRET, submission(USER.user, USER.phone), 15_000);
      await sleep(Math.max(0, LOCK_MS - (Date.now() - lockedAt)));
      await locker.query('commit');
    } finally {
      await locker.end();
    }
    await sleep(2_500); // a late commit would now be done, and its delivery on its way (the worker polls each second)
    console.info(`[stalled-database] lock: answered in ${answer.ms} ms`);
  });

  afterAll(async () => {
    await bot?.close();
    await place?.remove();
    await slack?.close();
  });

  it('answers the submission with "could not save… nothing was created"', () => {
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      response_action: 'errors',
      errors: { phone_number: expect.stringContaining(COULD_NOT_SAVE) },
    });
  });

  it('and it stays true: no request recorded, no contact created, no DM', async () => {
    expect(await requestsFor(bot.database.db, USER.e164)).toEqual([]);
    expect(await bot.database.db.select().from(emulatorContacts)).toEqual([]);
    expect(dmsTo(slack, USER.user)).toEqual([]);
  });
});
