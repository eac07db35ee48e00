import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactRequests, emulatorContacts, requestEvents } from '../../db/schema.js';
import { startTestBot, SIGNING_SECRET, BOT_TOKEN, type TestBot } from '../support/bot.js';
import { testTargets } from '../support/databases.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { eventually } from '../support/eventually.js';
import { modalSubmission, postSigned, slashCommand, slackSignature } from '../support/slack-requests.js';

type Block = { block_id?: string; element?: Record<string, any> };

function blockOf(view: any, id: string): Block {
  const block = (view.blocks as Block[]).find((b) => b.block_id === id);
  if (!block) throw new Error(`no block ${id}`);
  return block;
}

describe.each(testTargets())('/addcontact and the modal on $name', (target) => {
  let slack: FakeSlack;
  let bot: TestBot;

  beforeAll(async () => {
    slack = await startFakeSlack();
    bot = await startTestBot(target, slack, { ALLOWED_USER_IDS: 'U1,U2' });
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.close();
  });

  it('answers /healthz with the database state', async () => {
    const res = await fetch(`${bot.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, database: target.name });
  });

  it('opens the empty modal with every block and the default country', async () => {
    const res = await postSigned(bot.events, SIGNING_SECRET, slashCommand({ triggerId: 'trigger-empty' }));
    expect(res.status).toBe(200);
    const call = await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trigger-empty');
    expect(call.token).toBe(BOT_TOKEN);
    const view = call.args.view as any;
    expect(view.callback_id).toBe('add_contact');
    const ids = (view.blocks as Block[]).filter((b) => b.block_id).map((b) => [b.block_id, b.element?.action_id]);
    expect(ids).toEqual([
      ['salutation', 'salutation'],
      ['first_name', 'first_name'],
      ['last_name', 'last_name'],
      ['country', 'country'],
      ['phone_number', 'phone_number'],
      ['extension', 'extension'],
    ]);
    expect(blockOf(view, 'salutation').element?.options.map((o: any) => o.value)).toEqual(['Mr', 'Mrs', 'Ms', 'Dr']);
    expect(blockOf(view, 'country').element).toMatchObject({
      type: 'external_select',
      initial_option: { value: 'IN', text: { text: 'India +91' } },
    });
    expect(blockOf(view, 'first_name').element?.initial_value).toBeUndefined();
  });

  it('prefills the modal from the command text, with the number’s own country', async () => {
    await postSigned(bot.events, SIGNING_SECRET, slashCommand({ text: 'Dr. Jane Doe +44 7400 123456', triggerId: 'trigger-prefill' }));
    const view = (await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trigger-prefill')).args.view as any;
    expect(blockOf(view, 'salutation').element?.initial_option?.value).toBe('Dr');
    expect(blockOf(view, 'first_name').element?.initial_value).toBe('Jane');
    expect(blockOf(view, 'last_name').element?.initial_value).toBe('Doe');
    expect(blockOf(view, 'phone_number').element?.initial_value).toBe('+44 7400 123456');
    expect(blockOf(view, 'country').element?.initial_option?.value).toBe('GB');
  });

  it('answers `help` with an ephemeral usage message and opens nothing', async () => {
    const before = slack.calls.length;
    const res = await postSigned(bot.events, SIGNING_SECRET, slashCommand({ text: 'help' }));
    expect(await res.json()).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('/addcontact Dr. Priya Natarajan'),
    });
    expect(slack.calls.slice(before).filter((c) => c.method === 'views.open')).toEqual([]);
  });

  it('serves countries to the external select by name, ISO code and calling code', async () => {
    const search = async (value: string) => {
      const res = await postSigned(bot.events, SIGNING_SECRET, {
        payload: JSON.stringify({
          type: 'block_suggestion',
          action_id: 'country',
          block_id: 'country',
          value,
          team: { id: 'T1' },
          user: { id: 'U1' },
          view: { id: 'V1', callback_id: 'add_contact' },
        }),
      });
      return ((await res.json()) as { options: { value: string; text: { text: string } }[] }).options;
    };
    expect((await search('germ'))[0]).toEqual({ value: 'DE', text: { type: 'plain_text', text: 'Germany +49' } });
    expect((await search('ke'))[0]?.value).toBe('KE');
    expect((await search('+91')).map((o) => o.value)).toContain('IN');
  });

  it.each([
    ['blank names', { firstName: '  ', lastName: '', phone: '+91 98765 43210' }, ['first_name', 'last_name']],
    ['a number too short', { firstName: 'A', lastName: 'B', phone: '12' }, ['phone_number']],
    ['letters for a number', { firstName: 'A', lastName: 'B', phone: 'call me' }, ['phone_number']],
    ['an extension that is not digits', { firstName: 'A', lastName: 'B', phone: '+91 98765 43210', extension: '12a' }, ['extension']],
  ])('answers %s with errors keyed by block_id, and records nothing', async (_what, values, blocks) => {
    const res = await postSigned(bot.events, SIGNING_SECRET, modalSubmission({ country: 'IN', ...values }));
    const answer = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(answer.response_action).toBe('errors');
    expect(Object.keys(answer.errors).sort()).toEqual([...blocks].sort());
    for (const message of Object.values(answer.errors)) expect(message.length).toBeGreaterThan(5);
    const rows = await bot.database.db.select().from(contactRequests).where(eq(contactRequests.firstName, 'A'));
    expect(rows).toEqual([]);
  });

  it('says how to choose another country when a number does not fit the form’s country', async () => {
    const res = await postSigned(
      bot.events,
      SIGNING_SECRET,
      modalSubmission({ country: 'US', firstName: 'A', lastName: 'B', phone: '020 7946 0958' }),
    );
    expect(await res.json()).toEqual({
      response_action: 'errors',
      errors: {
        phone_number:
          'That number is too long for United States (US). Check for extra digits. ' +
          "If it's in another country, choose that country in the Country field or type the number with its code, e.g. +44.",
      },
    });
  });

  it('creates the contact: modal updated, DM with the ID, audit trail holds it', async () => {
    const res = await postSigned(
      bot.events,
      SIGNING_SECRET,
      modalSubmission(
        { salutation: 'Mrs', firstName: 'Kavya', lastName: 'Iyer', country: 'IN', phone: '098765 11111' },
        { viewId: 'VCREATE' },
      ),
    );
    expect(await res.json()).toMatchObject({ response_action: 'update', view: { blocks: expect.any(Array) } });

    const dm = await slack.waitFor('chat.postMessage', (c) => String(c.args.text).includes('Kavya'));
    expect(dm.args.channel).toBe('U1');
    const [row] = await bot.database.db.select().from(contactRequests).where(eq(contactRequests.phoneE164, '+919876511111'));
    expect(row).toMatchObject({
      status: 'created',
      userId: 'U1',
      teamId: 'T1',
      source: 'slash',
      salutation: 'Mrs',
      nationalNumber: '9876511111',
      countryCode: '+91',
    });
    expect(row!.contactId).toMatch(/^c-/);
    expect(dm.args.text).toContain(row!.contactId!);
    expect(dm.args.text).toContain('+91 98765 11111');
    const [stored] = await bot.database.db.select().from(emulatorContacts).where(eq(emulatorContacts.id, row!.contactId!));
    expect(stored).toMatchObject({ firstName: 'Kavya', lastName: 'Iyer', phoneE164: '+919876511111', salutation: 'Mrs', extension: '+' });

    const update = await slack.waitFor(
      'views.update',
      (c) => c.args.view_id === 'VCREATE' && JSON.stringify(c.args.view).includes(row!.contactId!),
    );
    expect(update.args.view).toMatchObject({ type: 'modal' });
    const kinds = await eventually(async () => {
      const events = await bot.database.db
        .select()
        .from(requestEvents)
        .where(eq(requestEvents.requestId, row!.id))
        .orderBy(requestEvents.id);
      return events.length === 4 ? events.map((e) => e.kind) : undefined;
    });
    expect(kinds).toEqual(['recorded', 'attempt', 'settled', 'notified']);
  });

  it('shows a name as text in the modal and the DM, never as a mention', async () => {
    const res = await postSigned(
      bot.events,
      SIGNING_SECRET,
      modalSubmission({ firstName: '<!channel>', lastName: 'Bose & Sons', country: 'IN', phone: '+91 98765 66666' }),
    );
    const modal = JSON.stringify(await res.json());
    const dm = await slack.waitFor('chat.postMessage', (c) => String(c.args.text).includes('Bose'));
    for (const shown of [modal, String(dm.args.text), JSON.stringify(dm.args.blocks)]) {
      expect(shown).toContain('&lt;!channel&gt; Bose &amp; Sons');
      expect(shown).not.toContain('<!channel>');
    }
  });

  it('reports a duplicate number, naming it and who created it here', async () => {
    await postSigned(
      bot.events,
      SIGNING_SECRET,
      modalSubmission({ firstName: 'Arjun', lastName: 'Mehta', country: 'IN', phone: '+91 98765 22222' }, { userId: 'U1' }),
    );
    await slack.waitFor('chat.postMessage', (c) => String(c.args.text).includes('Arjun'));
    await postSigned(
      bot.events,
      SIGNING_SECRET,
      modalSubmission({ firstName: 'Rahul', lastName: 'Rao', country: 'IN', phone: '098765-22222' }, { userId: 'U2' }),
    );
    const dm = await slack.waitFor('chat.postMessage', (c) => c.args.channel === 'U2' && String(c.args.text).includes('Rahul'));
    expect(dm.args.text).toContain('already belongs to a contact');
    expect(dm.args.text).toContain('+91 98765 22222');
    expect(dm.args.text).toContain('<@U1>');
    const rows = await bot.database.db.select().from(contactRequests).where(eq(contactRequests.phoneE164, '+919876522222'));
    expect(rows.map((r) => [r.firstName, r.status])).toEqual([
      ['Arjun', 'created'],
      ['Rahul', 'duplicate'],
    ]);
  });

  it('counts a double-clicked submission once', async () => {
    const submission = modalSubmission(
      { firstName: 'Meera', lastName: 'Nair', country: 'IN', phone: '+91 98765 33333' },
      { viewId: 'VTWICE' },
    );
    const [a, b] = await Promise.all([
      postSigned(bot.events, SIGNING_SECRET, submission),
      postSigned(bot.events, SIGNING_SECRET, submission),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await slack.waitFor('chat.postMessage', (c) => String(c.args.text).includes('Meera'));
    const rows = await bot.database.db.select().from(contactRequests).where(eq(contactRequests.phoneE164, '+919876533333'));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('created');
  });

  it('rejects forged and stale signatures with 401 and does nothing', async () => {
    const forged = await postSigned(bot.events, SIGNING_SECRET, slashCommand({ triggerId: 'trigger-forged' }), {
      signature: slackSignature('wrong-secret', 'x', 1),
    });
    const stale = await postSigned(bot.events, SIGNING_SECRET, slashCommand({ triggerId: 'trigger-stale' }), {
      timestamp: Math.floor(Date.now() / 1000) - 10 * 60,
    });
    const forgedSubmit = await postSigned(
      bot.events,
      'wrong-secret',
      modalSubmission({ firstName: 'Evil', lastName: 'Eve', country: 'IN', phone: '+91 98765 44444' }),
    );
    expect([forged.status, stale.status, forgedSubmit.status]).toEqual([401, 401, 401]);
    await new Promise((r) => setTimeout(r, 200));
    expect(
      slack.calls.filter(
        (c) => ['trigger-forged', 'trigger-stale'].includes(String(c.args.trigger_id)) || JSON.stringify(c.args).includes('Evil'),
      ),
    ).toEqual([]);
    expect(await bot.database.db.select().from(contactRequests).where(eq(contactRequests.firstName, 'Evil'))).toEqual([]);
  });

  it('refuses a user outside ALLOWED_USER_IDS politely, and creates nothing', async () => {
    const res = await postSigned(bot.events, SIGNING_SECRET, slashCommand({ userId: 'U9', triggerId: 'trigger-outsider' }));
    expect(await res.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('not on the list') });
    const submit = await postSigned(
      bot.events,
      SIGNING_SECRET,
      modalSubmission({ firstName: 'Out', lastName: 'Sider', country: 'IN', phone: '+91 98765 55555' }, { userId: 'U9' }),
    );
    expect(await submit.json()).toMatchObject({ response_action: 'errors' });
    expect(slack.calls.some((c) => c.args.trigger_id === 'trigger-outsider')).toBe(false);
    expect(await bot.database.db.select().from(contactRequests).where(eq(contactRequests.userId, 'U9'))).toEqual([]);
  });
});
