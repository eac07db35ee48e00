import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { notices } from '../../db/schema.js';
import { deferRequest, recordRequest, settleRequests, type RequestRow } from '../../src/audit/requests.js';
import { normalisePhone } from '../../src/contact/phone.js';
import { NOT_ALLOWED } from '../../src/slack/deps.js';
import { BOT_TOKEN, SIGNING_SECRET, startTestBot, type TestBot } from '../support/bot.js';
import { testTargets } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack, type FakeSlack, type SlackCall } from '../support/fake-slack.js';
import { appHomeOpened, buttonClick, modalSubmission, postSigned, postSignedEvent } from '../support/slack-requests.js';
import { dmsTo, settledRequest } from '../reliability/harness.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

type Block = { type: string; text?: { text: string }; fields?: { text: string }[]; accessory?: Button; elements?: Button[] };
type Button = { action_id: string; value?: string; confirm?: { text: { text: string } } };

/** Everything a view's blocks say, as one string. */
function textOf(view: { blocks: Block[] }): string {
  return view.blocks.flatMap((b) => [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)]).join('\n');
}

/** The view's buttons: section accessories and actions blocks alike. */
function buttonsOf(view: { blocks: Block[] }): Button[] {
  return view.blocks.flatMap((b) => [...(b.accessory ? [b.accessory] : []), ...(b.type === 'actions' ? (b.elements ?? []) : [])]);
}

describe.each(testTargets())('the App Home on $name', (target) => {
  let slack: FakeSlack;
  let bot: TestBot;
  const publishes = (userId?: string) =>
    slack.calls.filter((c) => c.method === 'views.publish' && (userId === undefined || c.args.user_id === userId));

  beforeAll(async () => {
    slack = await startFakeSlack();
    bot = await startTestBot(target, slack, { ALLOWED_USER_IDS: 'U1,U2,U3,U4,UNEW,UADMIN', ADMIN_USER_IDS: 'UADMIN' });
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.close();
  });

  /** Opens `userId`'s Home tab over signed HTTP and returns the view published for them. */
  async function openHome(userId: string): Promise<{ type: string; blocks: Block[] }> {
    const before = publishes().length;
    const res = await postSignedEvent(bot.events, SIGNING_SECRET, appHomeOpened(userId));
    expect(res.status).toBe(200);
    const call = await eventually(
      async () =>
        publishes()
          .slice(before)
          .find((c) => c.args.user_id === userId),
      10_000,
      'home published',
    );
    expect(call.token).toBe(BOT_TOKEN);
    return call.args.view as { type: string; blocks: Block[] };
  }

  /** The first home published for `userId` that names this contact ID (Slack may have refused it). */
  const homeNaming = (userId: string, contactId: string) =>
    publishes(userId).find((c) => textOf(c.args.view as { blocks: Block[] }).includes(`Contact ID: *${contactId}*`));

  /** A contact created by `userId` through the modal, once its outcome DM has gone out and their home was refreshed. */
  async function created(userId: string, lastName: string, phone: string): Promise<RequestRow> {
    const res = await postSigned(
      bot.events,
      SIGNING_SECRET,
      modalSubmission({ salutation: 'Dr', firstName: 'Home', lastName, country: 'IN', phone }, { userId }),
    );
    expect(res.status).toBe(200);
    const row = await settledRequest(bot.database.db, phone.replace(/ /g, ''));
    expect(row.status).toBe('created');
    await eventually(async () => homeNaming(userId, row.contactId!), 10_000, 'home refreshed');
    return row;
  }

  it('an empty home says what the app does and how to start', async () => {
    const view = await openHome('UNEW');
    expect(view.type).toBe('home');
    const text = textOf(view);
    expect(text).toContain('Kore.ai Agent AI');
    expect(text).toContain('`/addcontact`');
    expect(text).toContain('*Save as contact*');
    expect(text).toContain('*New contact*');
    expect(buttonsOf(view).map((b) => b.action_id)).toEqual(['open_add_contact']);
    expect(text).not.toContain('Delivery');
  });

  it("shows the user's own recent requests, with edit and delete, and nobody else's", async () => {
    const mine = await created('U1', 'Natarajan', '+91 98765 43201');
    const theirs = await created('U2', 'Mehta', '+91 98765 43202');
    const before = publishes().length;
    const view = await openHome('U1');
    const text = textOf(view);
    expect(text).toContain('*Dr Home Natarajan* · +91 98765 43201');
    expect(text).toContain(`Created · Contact ID: *${mine.contactId}* · <!date^${Math.floor(mine.createdAt.getTime() / 1000)}^`);
    expect(text).not.toContain('Mehta');
    expect(text).not.toContain('43202');
    expect(text).not.toContain(theirs.contactId!);
    expect(text).not.toContain('Delivery');
    const buttons = buttonsOf(view);
    expect(buttons.map((b) => [b.action_id, b.value])).toEqual([
      ['open_add_contact', undefined],
      ['edit_contact', String(mine.id)],
      ['delete_contact', String(mine.id)],
    ]);
    expect(buttons[2]!.confirm?.text.text).toContain('Dr Home Natarajan (+91 98765 43201) will be deleted');
    // The event published U1's home, and no one else's.
    expect(
      publishes()
        .slice(before)
        .map((c) => c.args.user_id),
    ).toEqual(['U1']);
  });

  it("shows an admin the team's requests with who made them, and the delivery's health", async () => {
    const failed = await failedRequest(bot, 'U2', '+919876543203', 'connect ECONNREFUSED 10.0.0.9:443');
    const view = await openHome('UADMIN');
    const text = textOf(view);
    expect(text).toContain('You have no contact requests yet');
    expect(text).toContain('<@U1> · Created');
    expect(text).toContain('<@U2> · Created');
    expect(text).toContain('<@U2> · Not created: the contacts service did not answer');
    expect(text).toContain('*Waiting requests*\nNone');
    expect(text).toMatch(/\*Call budget\*\n\d+ of 60 calls used in the last minute/);
    expect(text).toContain("*The endpoint's last error*\nconnect ECONNREFUSED 10.0.0.9:443 (HTTP 503) · <!date^");
    const retries = buttonsOf(view).filter((b) => b.action_id === 'retry_request');
    expect(retries.map((b) => b.value)).toEqual([String(failed.id)]);
  });

  it('is published again when one of the user’s requests settles, after the DM, with the new contact ID', async () => {
    expect(textOf(await openHome('U3'))).toContain('You have no contact requests yet');
    const row = await created('U3', 'Iyer', '+91 98765 43204');
    const refreshed = homeNaming('U3', row.contactId!)!;
    expect(textOf(refreshed.args.view as { blocks: Block[] })).toContain('*Dr Home Iyer* · +91 98765 43204');
    const [dm] = dmsTo(slack, 'U3');
    expect(slack.calls.indexOf(dm!)).toBeLessThan(slack.calls.indexOf(refreshed));
  });

  it('a home that Slack refuses to publish is logged, and the outcome DM is still sent once', async () => {
    slack.fault('views.publish', { error: 'internal_error' });
    try {
      const row = await created('U4', 'Rao', '+91 98765 43205');
      await eventually(async () => bot.logs.find((l) => l.msg === 'could not refresh the App Home' && l.user === 'U4'));
      const told = await bot.database.db.select().from(notices).where(eq(notices.requestId, row.id));
      expect(told.map((n) => [n.what, n.state, n.attempts])).toEqual([['created', 'delivered', 1]]);
      expect(dmsTo(slack, 'U4')).toHaveLength(1);
    } finally {
      slack.fault('views.publish', undefined);
    }
  });

  it('New contact opens the same contact modal, and its submission is recorded as from the home', async () => {
    const res = await postSigned(
      bot.events,
      SIGNING_SECRET,
      buttonClick({ actionId: 'open_add_contact', value: '', userId: 'U1', triggerId: 'trigger-home', home: true }),
    );
    expect(res.status).toBe(200);
    const open = await slack.waitFor('views.open', (c: SlackCall) => c.args.trigger_id === 'trigger-home');
    const view = open.args.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('add_contact');
    expect(JSON.parse(view.private_metadata)).toEqual({ source: 'home' });
    await postSigned(
      bot.events,
      SIGNING_SECRET,
      modalSubmission({ firstName: 'Home', lastName: 'Button', country: 'IN', phone: '98765 43206' }, { userId: 'U1', source: 'home' }),
    );
    expect((await settledRequest(bot.database.db, '+919876543206')).source).toBe('home');
  });

  it('when Slack does not open the form from New contact, the user is told by DM (a home click has no response_url)', async () => {
    slack.fault('views.open', { error: 'expired_trigger_id' });
    try {
      await postSigned(
        bot.events,
        SIGNING_SECRET,
        buttonClick({ actionId: 'open_add_contact', value: '', userId: 'U2', triggerId: 'trigger-late', home: true }),
      );
      const dm = await slack.waitFor('chat.postMessage', (c) => c.args.channel === 'U2' && String(c.args.text).includes('could not open'));
      expect(dm.args.text).toContain('Please try *New contact* again');
    } finally {
      slack.fault('views.open', undefined);
    }
  });

  it('someone outside ALLOWED_USER_IDS sees why, and New contact opens nothing for them', async () => {
    const view = await openHome('UOUT');
    expect(textOf(view)).toContain(NOT_ALLOWED);
    expect(buttonsOf(view)).toEqual([]);
    await postSigned(
      bot.events,
      SIGNING_SECRET,
      buttonClick({ actionId: 'open_add_contact', value: '', userId: 'UOUT', triggerId: 'trigger-out', home: true }),
    );
    const dm = await slack.waitFor('chat.postMessage', (c) => c.args.channel === 'UOUT');
    expect(dm.args.text).toBe(NOT_ALLOWED);
    expect(slack.calls.filter((c) => c.method === 'views.open' && c.args.trigger_id === 'trigger-out')).toEqual([]);
  });
});

/**
 * A request the endpoint never answered, as the delivery records it: a retry, then failed past its deadline. It is
 * recorded leased, as an accepted create is, so the running worker does not send it meanwhile.
 */
async function failedRequest(bot: TestBot, userId: string, e164: string, message: string): Promise<RequestRow> {
  const db = bot.database.db;
  const phone = normalisePhone(e164, 'IN');
  if (!phone.ok) throw new Error(`bad test number ${e164}`);
  const { row } = await recordRequest(
    db,
    {
      idempotencyKey: `home-failed-${e164}`,
      userId,
      source: 'slash',
      contact: { firstName: 'Never', lastName: 'Answered', phone: phone.phone },
      reply: { kind: 'cli' },
    },
    { leaseMs: 60_000 },
  );
  const outcome = { kind: 'unavailable' as const, status: 503, messages: [message] };
  await deferRequest(db, row, 60_000, outcome, false);
  const [settled] = await settleRequests(db, [{ id: row.id, status: 'failed', error: outcome }]);
  return settled!;
}
