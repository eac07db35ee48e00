import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SIGNING_SECRET, startTestBot, type TestBot } from '../support/bot.js';
import { testTargets, type TestTarget } from '../support/databases.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { modalSubmission } from '../support/slack-requests.js';
import {
  dmText,
  postSignedRaw,
  settledRequest,
  startEndpoint,
  startFaultProxy,
  TITLES,
  type Endpoint,
  type FaultProxy,
} from './harness.js';

// Real databases and loopback servers on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

interface Agent {
  user: string;
  phone: string;
  e164: string;
}

const agent = (n: number): Agent => ({ user: `UWAIT${n}`, phone: `+91 98765 6000${n}`, e164: `+91987656000${n}` });

async function submit(bot: TestBot, who: Agent): Promise<void> {
  const form = modalSubmission(
    { firstName: 'Waiting', lastName: `Agent ${who.user}`, country: 'IN', phone: who.phone },
    { userId: who.user, viewId: `V${who.user}` },
  );
  expect((await postSignedRaw(bot.events, SIGNING_SECRET, form)).status).toBe(200);
}

/** What the user read: the "queued" DM's text, and the same report in the modal they submitted. */
async function toldQueued(slack: FakeSlack, who: Agent): Promise<{ dm: string; modal: { title: string; body: string } }> {
  const dm = await slack.waitFor('chat.postMessage', (c) => c.args.channel === who.user && dmText(c).startsWith(TITLES.queued), 20_000);
  const update = await slack.waitFor(
    'views.update',
    (c) => c.args.view_id === `V${who.user}` && JSON.stringify(c.args.view).includes(TITLES.queued),
    20_000,
  );
  const [header, section] = (update.args.view as { blocks: { text: { text: string } }[] }).blocks;
  return { dm: dmText(dm), modal: { title: header!.text.text, body: section!.text.text } };
}

/** The DM's text is the title, then the body the modal shows under the same title. */
function expectSameReport(told: Awaited<ReturnType<typeof toldQueued>>): void {
  expect(told.modal.title).toBe(TITLES.queued);
  expect(told.dm).toBe(`${told.modal.title}\n${told.modal.body}`);
}

const WAIT_FOR_BUDGET =
  /^The contacts service's per-minute limit is reached, so .+ will be sent in about (\d+) s: (yours is next|(\d+) contacts? (?:is|are) ahead of yours)\.$/m;

describe.each(testTargets())('what a queued user is told, on $name', (target: TestTarget) => {
  describe('when the call budget is spent (KORE_RATE_LIMIT_PER_MIN=2)', () => {
    let slack: FakeSlack;
    let bot: TestBot;
    const told: Awaited<ReturnType<typeof toldQueued>>[] = [];

    beforeAll(async () => {
      slack = await startFakeSlack();
      bot = await startTestBot(target, slack, { KORE_RATE_LIMIT_PER_MIN: '2' });
      // Two contacts take the minute's two calls…
      await Promise.all([submit(bot, agent(1)), submit(bot, agent(2))]);
      for (const n of [1, 2]) expect((await settledRequest(bot.database.db, agent(n).e164)).status).toBe('created');
      // …so the third waits, and the fourth waits behind it.
      await submit(bot, agent(3));
      told.push(await toldQueued(slack, agent(3)));
      await submit(bot, agent(4));
      told.push(await toldQueued(slack, agent(4)));
    });
    afterAll(async () => {
      await bot?.close();
      await slack?.close();
    });

    it('tells the third and fourth it is the rate limit, about how many seconds, and how many contacts are ahead', () => {
      const [third, fourth] = told.map((t) => WAIT_FOR_BUDGET.exec(t.dm));
      expect(third, told[0]!.dm).not.toBeNull();
      expect(fourth, told[1]!.dm).not.toBeNull();
      for (const said of [third!, fourth!]) expect(Number(said[1])).toBeLessThanOrEqual(60);
      expect(third![2]).toBe('yours is next');
      expect(fourth![2]).toBe('1 contact is ahead of yours');
      expect(told[1]!.dm).toContain('Waiting Agent UWAIT4 (*+91 98765 60004*) will be sent in about');
    });

    it('shows the same in the modal', () => {
      for (const t of told) expectSameReport(t);
    });
  });

  describe('when the endpoint does not answer, or answers with its rate limit', () => {
    const OUTAGE = agent(5);
    const LIMITED = agent(6);
    let slack: FakeSlack;
    let endpoint: Endpoint;
    let proxy: FaultProxy;
    let bot: TestBot;

    beforeAll(async () => {
      slack = await startFakeSlack();
      endpoint = await startEndpoint(target);
      // Each of these numbers meets its fault on its first call, and is created on the next.
      proxy = await startFaultProxy(endpoint.emulator.url, (call) => {
        const first = (who: Agent) => call.numbers.includes(who.e164) && proxy.callsFor(who.e164).length === 0;
        if (first(OUTAGE)) return { kind: 'status', status: 503 };
        if (first(LIMITED)) {
          return {
            kind: 'status',
            status: 429,
            headers: { 'retry-after': '30' },
            body: { errors: [{ msg: "You've exceeded the per-minute rate limit for this account. Please try again later." }] },
          };
        }
        return { kind: 'pass' };
      });
      bot = await startTestBot(target, slack, endpoint.env(proxy.url));
    });
    afterAll(async () => {
      await bot?.close();
      await proxy?.close();
      await endpoint?.close();
      await slack?.close();
    });

    it('an outage: the endpoint is not answering, and the contact will be sent again', async () => {
      await submit(bot, OUTAGE);
      const told = await toldQueued(slack, OUTAGE);
      expect(told.dm).toContain(
        'The contacts endpoint is not answering right now, so Waiting Agent UWAIT5 (*+91 98765 60005*) will be sent again automatically.',
      );
      expectSameReport(told);
      expect((await settledRequest(bot.database.db, OUTAGE.e164)).status).toBe('created');
    });

    it("the vendor's rate limit: the account's per-minute limit, shared with other integrations, and about how long", async () => {
      await submit(bot, LIMITED);
      const told = await toldQueued(slack, LIMITED);
      const said =
        /^The contacts service's per-minute limit is reached \(it is shared with other integrations on the account\), so Waiting Agent UWAIT6 \(\*\+91 98765 60006\*\) will be sent in about (\d+) s\.$/m.exec(
          told.dm,
        );
      expect(said, told.dm).not.toBeNull();
      // Retry-After said 30 s.
      expect(Number(said![1])).toBeGreaterThanOrEqual(20);
      expect(Number(said![1])).toBeLessThanOrEqual(30);
      expectSameReport(told);
    });
  });
});
