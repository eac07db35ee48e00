import { and, asc, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactRequests, emulatorContacts, requestEvents } from '../../db/schema.js';
import type { RequestRow } from '../../src/audit/requests.js';
import { NOT_YOURS } from '../../src/slack/change-rights.js';
import { NOT_ALLOWED } from '../../src/slack/deps.js';
import { startTestBot, SIGNING_SECRET, type TestBot } from '../support/bot.js';
import { testTargets } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack, type FakeSlack, type SlackCall } from '../support/fake-slack.js';
import { buttonClick, modalSubmission, postSigned } from '../support/slack-requests.js';

type Block = { type: string; block_id?: string; element?: Record<string, any>; elements?: Record<string, any>[] };

const blocksOf = (call: SlackCall) => (call.args.blocks ?? (call.args.view as { blocks?: unknown })?.blocks) as Block[];
const buttonsOf = (call: SlackCall) => blocksOf(call).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));

describe.each(testTargets())('edit, delete and the duplicate answer over signed HTTP on $name', (target) => {
  let slack: FakeSlack;
  let bot: TestBot;
  /** U1's contact, which the tests below edit and finally delete. */
  let mine: RequestRow;
  /** U2's contact, whose number U1's edit then runs into. */
  let theirs: RequestRow;

  beforeAll(async () => {
    slack = await startFakeSlack();
    bot = await startTestBot(target, slack, { ALLOWED_USER_IDS: 'U1,U2,UADMIN', ADMIN_USER_IDS: 'UADMIN' });
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.close();
  });

  const click = (fields: Parameters<typeof buttonClick>[0]) => postSigned(bot.events, SIGNING_SECRET, buttonClick(fields));
  const submit = (...args: Parameters<typeof modalSubmission>) => postSigned(bot.events, SIGNING_SECRET, modalSubmission(...args));
  const rows = () => bot.database.db.select().from(contactRequests).orderBy(asc(contactRequests.id));
  const storedContact = async (id: string) => (await bot.database.db.select().from(emulatorContacts).where(eq(emulatorContacts.id, id)))[0];
  const ephemeral = (user: string, text: string) =>
    slack.waitFor('chat.postEphemeral', (c) => c.args.user === user && String(c.args.text).includes(text));
  const notifiedOf = (id: number) =>
    eventually(async () => {
      const [event] = await bot.database.db
        .select()
        .from(requestEvents)
        .where(and(eq(requestEvents.requestId, id), eq(requestEvents.kind, 'notified')));
      return event?.detail as { what: string; channel: string; ts?: string } | undefined;
    });

  /** Creates a contact through the modal as `userId`, and waits for its outcome DM. */
  async function created(userId: string, firstName: string, phone: string): Promise<{ row: RequestRow; dm: SlackCall }> {
    await submit({ salutation: 'Ms', firstName, lastName: 'Rao', country: 'IN', phone }, { userId });
    const row = await eventually(async () => (await rows()).find((r) => r.firstName === firstName && r.status === 'created'));
    const dm = await slack.waitFor('chat.postMessage', (c) => c.args.channel === userId && String(c.args.text).includes(row.contactId!));
    return { row, dm };
  }

  it("offers Edit and Delete on a created contact's DM, carrying only the request id, and notes where the DM is", async () => {
    const made = await created('U1', 'Asha', '+91 98765 70001');
    mine = made.row;
    expect(buttonsOf(made.dm).map((b) => [b.action_id, b.value, b.confirm !== undefined])).toEqual([
      ['edit_contact', String(mine.id), false],
      ['delete_contact', String(mine.id), true],
    ]);
    expect(await notifiedOf(mine.id)).toEqual({ what: 'created', channel: 'U1', ts: expect.stringMatching(/^\d+(\.\d+)?$/) });
    theirs = (await created('U2', 'Bina', '+91 98765 70002')).row;
  });

  it('opens the edit modal on Edit, prefilled with the contact as it stands', async () => {
    const res = await click({ actionId: 'edit_contact', value: String(mine.id), triggerId: 'trigger-edit' });
    expect(res.status).toBe(200);
    const view = (await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trigger-edit')).args.view as any;
    expect(view).toMatchObject({ callback_id: 'edit_contact', private_metadata: String(mine.id), title: { text: 'Edit contact' } });
    const initial = (id: string) => (view.blocks as Block[]).find((b) => b.block_id === id)?.element;
    expect(initial('first_name')?.initial_value).toBe('Asha');
    expect(initial('phone_number')?.initial_value).toBe('+91 98765 70001');
    expect(initial('salutation')?.initial_option?.value).toBe('Ms');
  });

  it('says an edit that changes nothing does so, and sends nothing', async () => {
    const before = (await rows()).length;
    const res = await submit(
      { salutation: 'Ms', firstName: 'Asha', lastName: 'Rao', country: 'IN', phone: '098765 70001' },
      { editOf: String(mine.id) },
    );
    expect(await res.json()).toEqual({
      response_action: 'errors',
      errors: { first_name: expect.stringContaining('Nothing was changed') },
    });
    expect(await rows()).toHaveLength(before);
  });

  it('answers an invalid edit as a create is answered', async () => {
    const res = await submit({ firstName: 'Asha', lastName: '', country: 'IN', phone: '12' }, { editOf: String(mine.id) });
    const answer = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(answer.response_action).toBe('errors');
    expect(Object.keys(answer.errors).sort()).toEqual(['last_name', 'phone_number']);
  });

  it('records an edit as an update of that contact: sent, stored, and the user told "updated" with the ID and the new values', async () => {
    const values = { salutation: 'Dr', firstName: 'Asha', lastName: 'Rao-Iyer', country: 'IN', phone: '+91 98765 70003', extension: '42' };
    const [a, b] = await Promise.all([
      submit(values, { editOf: String(mine.id), viewId: 'VEDIT1' }),
      submit(values, { editOf: String(mine.id), viewId: 'VEDIT1' }),
    ]);
    for (const res of [a, b]) expect(JSON.stringify(await res.json())).toContain('Edit contact');
    const updates = (await rows()).filter((r) => r.operation === 'update');
    expect(updates).toHaveLength(1);
    const update = await eventually(async () => (await rows()).find((r) => r.id === updates[0]!.id && r.status === 'updated'));
    expect(update).toMatchObject({ source: 'button', userId: 'U1', targetContactId: mine.contactId, contactId: mine.contactId });
    expect(await storedContact(mine.contactId!)).toMatchObject({
      status: 'ACTIVE',
      salutation: 'Dr',
      lastName: 'Rao-Iyer',
      phoneE164: '+919876570003',
      extension: '42',
    });
    const dm = await slack.waitFor('chat.postMessage', (c) => c.args.channel === 'U1' && String(c.args.text).startsWith('Contact updated'));
    expect(dm.args.text).toContain(mine.contactId!);
    expect(dm.args.text).toContain('Dr Asha Rao-Iyer');
    expect(dm.args.text).toContain('+91 98765 70003 ext. 42');
    expect(buttonsOf(dm).map((b) => [b.action_id, b.value])).toEqual([
      ['edit_contact', String(update.id)],
      ['delete_contact', String(update.id)],
    ]);
    await slack.waitFor('views.update', (c) => c.args.view_id === 'VEDIT1' && JSON.stringify(c.args.view).includes('Contact updated'));
  });

  it('answers an edit to a number another contact holds as a duplicate naming that contact and who created it here', async () => {
    await submit({ firstName: 'Asha', lastName: 'Rao-Iyer', country: 'IN', phone: '+91 98765 70002' }, { editOf: String(mine.id) });
    const dm = await slack.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === 'U1' && String(c.args.text).startsWith('That number is already a contact'),
    );
    expect(dm.args.text).toContain('+91 98765 70002* already belongs to another contact, so Asha Rao-Iyer was not updated.');
    expect(dm.args.text).toContain(`It is contact *${theirs.contactId}*, created through this app by <@U2>`);
    expect(buttonsOf(dm)).toEqual([]); // U1 may not edit U2's contact
    expect((await storedContact(mine.contactId!))?.phoneE164).toBe('+919876570003');
  });

  it('offers an admin whose number is taken to edit that contact', async () => {
    await submit({ firstName: 'Admin', lastName: 'Copy', country: 'IN', phone: '+91 98765 70002' }, { userId: 'UADMIN' });
    const dm = await slack.waitFor('chat.postMessage', (c) => c.args.channel === 'UADMIN' && String(c.args.text).includes('Admin Copy'));
    expect(dm.args.text).toContain(`It is contact *${theirs.contactId}*`);
    expect(buttonsOf(dm).map((b) => [b.action_id, b.value, b.text.text])).toEqual([
      ['edit_contact', String(theirs.id), 'Edit that contact'],
    ]);
    await click({ actionId: 'edit_contact', value: String(theirs.id), userId: 'UADMIN', triggerId: 'trigger-admin' });
    const view = (await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trigger-admin')).args.view as any;
    expect(view.private_metadata).toBe(String(theirs.id));
  });

  it("refuses someone else's click or a forged value, clearly and to them alone, and sends nothing", async () => {
    const before = await rows();
    const stored = await storedContact(mine.contactId!);
    const duplicate = before.find((r) => r.status === 'duplicate')!;
    await click({ actionId: 'edit_contact', value: String(mine.id), userId: 'U2', triggerId: 'trigger-not-yours' });
    await ephemeral('U2', NOT_YOURS);
    await click({ actionId: 'delete_contact', value: String(mine.id), userId: 'U2' });
    await click({ actionId: 'retry_request', value: String(mine.id), userId: 'U2' });
    await click({ actionId: 'delete_contact', value: String(mine.id), userId: 'U3' });
    await ephemeral('U3', NOT_ALLOWED);
    for (const value of ['abc', '-1', '1e3', '99999999', ' ', `${mine.id} OR 1=1`]) {
      await click({ actionId: 'delete_contact', value, userId: 'U1' });
    }
    await click({ actionId: 'edit_contact', value: String(duplicate.id), userId: 'U1' });
    await ephemeral('U1', 'That request did not make a contact, so there is nothing to be edited.');
    await click({ actionId: 'retry_request', value: String(mine.id), userId: 'U1' });
    await ephemeral('U1', 'Only a request that failed can be tried again; this one is created.');
    const forged = await submit(
      { firstName: 'Evil', lastName: 'Eve', country: 'IN', phone: '+91 98765 70009' },
      { userId: 'U2', editOf: String(mine.id) },
    );
    expect(await forged.json()).toEqual({ response_action: 'errors', errors: { first_name: NOT_YOURS } });

    const told = await eventually(async () => {
      const calls = slack.calls.filter((c) => c.method === 'chat.postEphemeral');
      return calls.length >= 12 ? calls : undefined;
    });
    expect(told.filter((c) => c.args.user === 'U2' && c.args.text === NOT_YOURS)).toHaveLength(3);
    expect(told.filter((c) => c.args.user === 'U1' && String(c.args.text).includes('not a request this app knows'))).toHaveLength(6);
    expect(told.every((c) => c.args.channel === `D-${c.args.user}`)).toBe(true);
    expect(slack.calls.some((c) => c.args.trigger_id === 'trigger-not-yours')).toBe(false);
    expect(await rows()).toEqual(before);
    expect(await storedContact(mine.contactId!)).toEqual(stored);
  });

  it('opens the edit modal from App Home too, and answers a refusal there in the app’s messages', async () => {
    await click({ actionId: 'edit_contact', value: String(mine.id), home: true, triggerId: 'trigger-home' });
    await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trigger-home');
    await click({ actionId: 'edit_contact', value: String(mine.id), userId: 'U2', home: true });
    await slack.waitFor('chat.postEphemeral', (c) => c.args.channel === 'U2' && c.args.user === 'U2' && c.args.text === NOT_YOURS);
  });

  it('deletes on a confirmed Delete, once however often it is clicked, and marks the earlier DMs deleted without buttons', async () => {
    const updated = (await rows()).find((r) => r.status === 'updated')!;
    const [createdDm, updatedDm] = [await notifiedOf(mine.id), await notifiedOf(updated.id)];
    await Promise.all([
      click({ actionId: 'delete_contact', value: String(updated.id) }),
      click({ actionId: 'delete_contact', value: String(updated.id) }),
    ]);
    const deletion = await eventually(async () => (await rows()).find((r) => r.operation === 'delete' && r.status === 'deleted'));
    expect((await rows()).filter((r) => r.operation === 'delete')).toHaveLength(1);
    expect(deletion).toMatchObject({ source: 'button', userId: 'U1', targetContactId: mine.contactId, reply: { kind: 'dm' } });
    expect((await storedContact(mine.contactId!))?.status).toBe('INACTIVE');

    const dm = await slack.waitFor('chat.postMessage', (c) => c.args.channel === 'U1' && String(c.args.text).startsWith('Contact deleted'));
    expect(dm.args.text).toContain(mine.contactId!);
    expect(buttonsOf(dm)).toEqual([]);
    for (const earlier of [createdDm, updatedDm]) {
      const marked = await slack.waitFor('chat.update', (c) => c.args.channel === earlier.channel && c.args.ts === earlier.ts);
      expect(buttonsOf(marked)).toEqual([]);
      expect(String(marked.args.text)).toContain('This contact was deleted by <@U1>');
      expect(String(marked.args.text)).toContain(mine.contactId!);
    }
    expect(await notifiedOf(deletion.id)).toMatchObject({ what: 'deleted', marked: 2 });
  });

  it('neither edits nor deletes a deleted contact', async () => {
    await click({ actionId: 'edit_contact', value: String(mine.id) });
    await ephemeral('U1', 'That contact was deleted, so it cannot be edited.');
    await click({ actionId: 'delete_contact', value: String(mine.id) });
    await ephemeral('U1', 'That contact was deleted, so it cannot be deleted.');
    const [{ n }] = (await bot.database.db.select({ n: count() }).from(contactRequests).where(eq(contactRequests.operation, 'delete'))) as [
      { n: number },
    ];
    expect(n).toBe(1);
  });
});
