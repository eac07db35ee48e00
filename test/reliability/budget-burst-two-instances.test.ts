import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/database.js';
import { openScratch, testTargets, type Scratch } from '../support/databases.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { agents, burstFigures, burstOutcome, expectBurstDelivered, startLimitedEndpoint, submit, type LimitedEndpoint } from './budget.js';
import { killAllSpawned, spawnApp, type AppProcess } from './processes.js';

// A minute of the endpoint's rate limit and real processes, on a machine other work may share: generous limits
// (timeouts as behaviour only).
vi.setConfig({ testTimeout: 150_000, hookTimeout: 120_000 });

/**
 * The same burst as budget-burst.test.ts, split between two app processes on one PostgreSQL database: the budget of
 * 6 calls a minute is theirs together, not 6 each. PostgreSQL only (the embedded database belongs to one process).
 */
const postgres = testTargets().find((t) => t.name === 'postgres');

describe.runIf(postgres)('a burst of 30 submissions within a budget of 6 calls a minute, two instances (PostgreSQL only)', () => {
  let slack: FakeSlack;
  let limited: LimitedEndpoint;
  let place: Scratch;
  let apps: AppProcess[];
  let database: Database;

  beforeAll(async () => {
    slack = await startFakeSlack();
    limited = await startLimitedEndpoint(postgres!);
    place = await postgres!.scratch();
    const env = { ...place.env, ...limited.env, SLACK_API_URL: slack.url };
    apps = await Promise.all([spawnApp(env), spawnApp(env)]);
    database = await openScratch(place);
  });

  afterAll(async () => {
    await killAllSpawned();
    await database?.close();
    await limited?.close();
    await slack?.close();
    await place?.remove();
  });

  it('30 contacts, at most 6 calls in any 60 s across both, no rate-limited answer', async () => {
    const group = agents('T');
    const statuses = await Promise.all(group.map((a, i) => submit(apps[i % apps.length]!.events, a)));
    expect(statuses).toEqual(group.map(() => 200));
    await burstOutcome(slack, limited.recorder, group);

    const settledBy = apps.map((app) => app.lines.filter((line) => line.includes('"request settled"')).length);
    console.info(`[budget-burst-two-instances] ${JSON.stringify({ ...burstFigures(limited), settledBy })}`);
    await expectBurstDelivered(expect, { db: database.db, slack, limited, group });
  });
});
