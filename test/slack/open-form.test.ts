import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_SECRET, startTestBot, type TestBot } from '../support/bot.js';
import { testTargets } from '../support/databases.js';
import { startFakeSlack, type FakeSlack, type SlackCall } from '../support/fake-slack.js';
import { interactive, postSigned, slashCommand } from '../support/slack-requests.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A trigger_id lives 3 s: views.open is retried only within that, and then the user is told, through the
// response_url of the command or shortcut, that the form could not open (Bolt's default would retry for 30 minutes
// and tell nobody).
describe('when Slack does not open the contact form', () => {
  let slack: FakeSlack;
  let bot: TestBot;

  beforeAll(async () => {
    slack = await startFakeSlack();
    bot = await startTestBot(testTargets()[0]!, slack);
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.close();
  });

  const responseUrl = (id: string) => slack.url.replace(/api\/$/, `respond/${id}`);
  const tries = (trigger: string) => slack.calls.filter((c) => c.method === 'views.open' && c.args.trigger_id === trigger);

  /** The user was told the form could not open; every try came before that, and none after. */
  async function expectToldAfterBoundedTries(trigger: string, told: SlackCall, again: string): Promise<void> {
    expect(told.args).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('could not open') });
    expect(String(told.args.text)).toContain(again);
    const made = tries(trigger);
    expect(made.length).toBeGreaterThanOrEqual(1);
    expect(made.length).toBeLessThanOrEqual(8);
    expect(made.filter((c) => c.at > told.at)).toEqual([]);
    await sleep(1_500); // longer than any backoff step of Bolt's default policy's first retries
    expect(tries(trigger)).toHaveLength(made.length);
  }

  it.each(['unavailable', 'silent'] as const)('/addcontact with views.open %s: told through response_url', async (how) => {
    slack.fault('views.open', how);
    try {
      const trigger = `t-command-${how}`;
      await postSigned(bot.events, SIGNING_SECRET, { ...slashCommand({ triggerId: trigger }), response_url: responseUrl(trigger) });
      const told = await slack.waitFor(`respond/${trigger}`, () => true, 15_000);
      await expectToldAfterBoundedTries(trigger, told, '/addcontact');
      if (how === 'unavailable') expect(tries(trigger).length).toBeGreaterThan(1); // a quick failure is retried
    } finally {
      slack.fault('views.open', undefined);
    }
  });

  it('says nothing when Slack answers that the trigger was already used: an earlier attempt opened the form', async () => {
    slack.fault('views.open', { error: 'exchanged_trigger_id' });
    try {
      const trigger = 't-exchanged';
      await postSigned(bot.events, SIGNING_SECRET, { ...slashCommand({ triggerId: trigger }), response_url: responseUrl(trigger) });
      await slack.waitFor('views.open', (c) => c.args.trigger_id === trigger);
      await sleep(500);
      expect(slack.calls.filter((c) => c.method === `respond/${trigger}`)).toEqual([]);
      expect(tries(trigger)).toHaveLength(1);
    } finally {
      slack.fault('views.open', undefined);
    }
  });

  it('says Slack refused the form, not that it did not answer, when views.open is refused', async () => {
    slack.fault('views.open', { error: 'invalid_arguments' });
    try {
      const trigger = 't-refused';
      await postSigned(bot.events, SIGNING_SECRET, { ...slashCommand({ triggerId: trigger }), response_url: responseUrl(trigger) });
      const told = await slack.waitFor(`respond/${trigger}`, () => true, 15_000);
      expect(told.args).toMatchObject({
        response_type: 'ephemeral',
        text: expect.stringContaining('could not open: Slack refused it (`invalid_arguments`)'),
      });
      expect(String(told.args.text)).not.toContain('did not answer');
      expect(String(told.args.text)).toContain('tell your Slack admin');
      expect(tries(trigger)).toHaveLength(1);
    } finally {
      slack.fault('views.open', undefined);
    }
  });

  it('says Slack did not answer when views.open times out', async () => {
    slack.fault('views.open', 'silent');
    try {
      const trigger = 't-timeout-words';
      await postSigned(bot.events, SIGNING_SECRET, { ...slashCommand({ triggerId: trigger }), response_url: responseUrl(trigger) });
      const told = await slack.waitFor(`respond/${trigger}`, () => true, 15_000);
      expect(String(told.args.text)).toContain('could not open: Slack did not answer in time. Please try `/addcontact` again in a moment.');
    } finally {
      slack.fault('views.open', undefined);
    }
  });

  it.each([
    ['a text card', {}],
    [
      'a card file (the loading modal)',
      {
        files: [{ id: 'F9', name: 'card.vcf', mimetype: 'text/vcard', size: 20, url_private_download: 'https://files.slack.com/card.vcf' }],
      },
    ],
  ])('Save as contact on %s with views.open silent: told by an ephemeral message', async (_what, extra) => {
    slack.fault('views.open', 'silent');
    try {
      const trigger = `t-shortcut-${Object.keys(extra).length}`;
      const payload = {
        type: 'message_action',
        callback_id: 'save_contact',
        trigger_id: trigger,
        team: { id: 'T1', domain: 'acme' },
        user: { id: 'U1', name: 'agent', team_id: 'T1' },
        channel: { id: 'C1', name: 'support' },
        message_ts: '1700000000.000100',
        response_url: responseUrl(trigger),
        message: { type: 'message', user: 'U7', ts: '1700000000.000100', text: 'Name: Ana López\nCell: +34 612 34 56 78', ...extra },
      };
      await postSigned(bot.events, SIGNING_SECRET, interactive(payload));
      const told = await slack.waitFor(`respond/${trigger}`, () => true, 15_000);
      await expectToldAfterBoundedTries(trigger, told, 'Save as contact');
    } finally {
      slack.fault('views.open', undefined);
    }
  });
});
