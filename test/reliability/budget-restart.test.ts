import { describe, it, vi } from 'vitest';
import { openScratch, testTargets, type TestTarget } from '../support/databases.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { agents, burstFigures, burstOutcome, CALLS_PER_MINUTE, expectBurstDelivered, startLimitedEndpoint, submit } from './budget.js';
import { spawnApp } from './processes.js';

// A minute of the endpoint's rate limit and real processes, on a machine other work may share: generous limits
// (timeouts as behaviour only).
vi.setConfig({ testTimeout: 150_000 });

/**
 * The budget outlives the process that spent it. An app spends the minute's 6 calls on 6 contacts and is stopped; a
 * new process on the same database, started within that minute, takes the other 24 submissions of the burst and
 * makes no call until the window frees, then sends them. On the embedded database and on PostgreSQL.
 */
describe('a budget of 6 calls a minute across a restart', () => {
  it.concurrent.for(testTargets())(
    'on $name: the restarted app waits for the window; 30 contacts, at most 6 calls in any 60 s, no rate-limited answer',
    async (target: TestTarget, { expect, onTestFinished }) => {
      const slack = await startFakeSlack();
      const limited = await startLimitedEndpoint(target);
      const place = await target.scratch();
      onTestFinished(async () => {
        await limited.close();
        await slack.close();
        await place.remove();
      });
      const env = { ...place.env, ...limited.env, SLACK_API_URL: slack.url };
      const group = agents('R');
      const [spent, rest] = [group.slice(0, CALLS_PER_MINUTE), group.slice(CALLS_PER_MINUTE)];

      const first = await spawnApp(env);
      onTestFinished(() => first.kill());
      expect(await Promise.all(spent.map((a) => submit(first.events, a)))).toEqual(spent.map(() => 200));
      await burstOutcome(slack, limited.recorder, spent);
      first.signal('SIGTERM');
      const firstExit = await first.exited;

      const second = await spawnApp(env);
      onTestFinished(() => second.kill());
      expect(await Promise.all(rest.map((a) => submit(second.events, a)))).toEqual(rest.map(() => 200));
      await burstOutcome(slack, limited.recorder, group);
      // The embedded database opens in one process at a time: the audit trail is read once the app has stopped.
      second.signal('SIGTERM');
      const secondExit = await second.exited;

      console.info(`[budget-restart] ${JSON.stringify({ target: target.name, ...burstFigures(limited), firstExit, secondExit })}`);
      const database = await openScratch(place);
      onTestFinished(() => database.close());
      await expectBurstDelivered(expect, { db: database.db, slack, limited, group });
    },
  );
});
