import { describe, it, vi } from 'vitest';
import { startTestBot } from '../support/bot.js';
import { testTargets, type TestTarget } from '../support/databases.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { agents, burstFigures, burstOutcome, expectBurstDelivered, startLimitedEndpoint, submit } from './budget.js';

// A minute of the endpoint's rate limit, on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 150_000 });

/**
 * Thirty agents submit a contact at once to one app, in this process, told it may make 6 calls a minute, against an
 * endpoint that allows 6 calls a minute: the first contacts take a call each, the rest wait and go together when the
 * first call leaves the window. On the embedded database and on PostgreSQL.
 */
describe('a burst of 30 submissions within a budget of 6 calls a minute, one instance', () => {
  it.concurrent.for(testTargets())(
    'on $name: 30 contacts, at most 6 calls in any 60 s, no rate-limited answer',
    async (target: TestTarget, { expect, onTestFinished }) => {
      const slack = await startFakeSlack();
      const limited = await startLimitedEndpoint(target);
      onTestFinished(async () => {
        await limited.close();
        await slack.close();
      });
      const bot = await startTestBot(target, slack, limited.env);
      onTestFinished(() => bot.close());

      const group = agents('B');
      expect(await Promise.all(group.map((a) => submit(bot.events, a)))).toEqual(group.map(() => 200));
      await burstOutcome(slack, limited.recorder, group);

      console.info(`[budget-burst] ${JSON.stringify({ target: target.name, ...burstFigures(limited) })}`);
      await expectBurstDelivered(expect, { db: bot.database.db, slack, limited, group });
    },
  );
});
