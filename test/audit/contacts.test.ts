import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestEvents } from '../../db/schema.js';
import { contactToChange, requestToRetry, retryOf } from '../../src/audit/changeable.js';
import { knownContact, numberHolder } from '../../src/audit/contacts.js';
import { claimNotices, noticesDelivered, outcomeMessages } from '../../src/audit/notices.js';
import { recordRequest, settleRequests, type NewRequest, type RequestRow, type Settlement } from '../../src/audit/requests.js';
import type { Db } from '../../src/database.js';
import { contact, freshIndianNumber } from '../kore/loopback.js';
import { testTargets, type TestDatabase } from '../support/databases.js';

let keys = 0;
let contacts = 0;

describe.each(testTargets())('contacts as the audit trail knows them on $name', (target) => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await target.open();
    db = database.db;
  });
  afterAll(() => database?.close());

  /** Records a request and settles it at once, as a delivery would. */
  async function done(
    request: Partial<NewRequest> & { phone?: string; firstName?: string },
    settlement: Omit<Settlement, 'id'>,
  ): Promise<RequestRow> {
    keys += 1;
    const { phone = freshIndianNumber(), firstName = 'Meera', ...rest } = request;
    const { row } = await recordRequest(db, {
      idempotencyKey: `contacts-${keys}-${Math.random()}`,
      userId: 'U0CREATOR',
      source: 'slash',
      reply: { kind: 'modal', viewId: `V-${keys}` },
      contact: contact({ firstName, lastName: 'Pillai', phone }),
      ...rest,
    });
    const [settled] = await settleRequests(db, [{ id: row.id, ...settlement }]);
    return settled!;
  }

  /** A contact created through the app, by `userId`. */
  async function created(opts: { userId?: string; phone?: string } = {}): Promise<RequestRow> {
    contacts += 1;
    return done(opts, { status: 'created', contactId: `c-known-${contacts}-${Math.random()}` });
  }

  function change(of: RequestRow, operation: 'update' | 'delete', opts: { userId?: string; phone?: string; firstName?: string } = {}) {
    return { operation, targetContactId: of.contactId!, ...opts };
  }

  it('knows a contact by its creation, its values now (its last update) and its deletion', async () => {
    const creation = await created();
    const contactId = creation.contactId!;
    expect(await knownContact(db, contactId)).toMatchObject({ contactId, creation: { id: creation.id }, current: { id: creation.id } });

    const first = await done(change(creation, 'update', { firstName: 'Asha' }), { status: 'updated', contactId });
    await done(change(creation, 'update', { firstName: 'Never' }), { status: 'duplicate' });
    const second = await done(change(creation, 'update', { firstName: 'Anita', userId: 'U0ADMIN' }), { status: 'updated', contactId });
    await done(change(creation, 'update', { firstName: 'Failed' }), { status: 'failed' });
    const now = await knownContact(db, contactId);
    expect(now?.current).toMatchObject({ id: second.id, firstName: 'Anita' });
    expect(now?.creation.userId).toBe('U0CREATOR');
    expect(now?.deletion).toBeUndefined();
    expect(first.id).toBeLessThan(second.id);

    const deletion = await done(change(creation, 'delete'), { status: 'deleted', contactId });
    expect(await knownContact(db, contactId)).toMatchObject({ current: { id: second.id }, deletion: { id: deletion.id } });
    expect(await knownContact(db, 'c-never-created-here')).toBeUndefined();
  });

  it('finds the contact holding a number: the latest one whose values still carry it', async () => {
    const phone = freshIndianNumber();
    const e164 = contact({ firstName: 'x', lastName: 'y', phone }).phone.e164;
    expect(await numberHolder(db, e164)).toBeUndefined();
    const a = await created({ phone });
    expect(await numberHolder(db, e164)).toMatchObject({ contactId: a.contactId });

    // The number moves from A to B: B holds it now.
    await done(change(a, 'update', { phone: freshIndianNumber() }), { status: 'updated', contactId: a.contactId! });
    expect(await numberHolder(db, e164)).toBeUndefined();
    const b = await created({ userId: 'U0OTHER' });
    await done(change(b, 'update', { phone }), { status: 'updated', contactId: b.contactId! });
    expect(await numberHolder(db, e164)).toMatchObject({ contactId: b.contactId, creation: { userId: 'U0OTHER' } });

    // Deleted, it is still named (the vendor may keep the number), with its deletion.
    await done(change(b, 'delete'), { status: 'deleted', contactId: b.contactId! });
    expect(await numberHolder(db, e164)).toMatchObject({ contactId: b.contactId, deletion: { operation: 'delete' } });
  });

  it('reads a request again for an edit or a delete: only a contact that is there, with who created it', async () => {
    const creation = await created();
    const contactId = creation.contactId!;
    const update = await done(change(creation, 'update', { firstName: 'Asha', userId: 'U0ADMIN' }), { status: 'updated', contactId });
    for (const id of [creation.id, update.id]) {
      expect(await contactToChange(db, id)).toMatchObject({
        ok: true,
        creatorId: 'U0CREATOR',
        contact: { contactId, current: { id: update.id, firstName: 'Asha' } },
      });
    }
    const duplicate = await done({}, { status: 'duplicate' });
    const failedUpdate = await done(change(creation, 'update'), { status: 'failed' });
    expect(await contactToChange(db, 987_654_321)).toEqual({ ok: false, why: 'unknown' });
    expect(await contactToChange(db, duplicate.id)).toMatchObject({ ok: false, why: 'no-contact' });
    expect(await contactToChange(db, failedUpdate.id)).toMatchObject({ ok: false, why: 'no-contact' });

    keys += 1;
    const { row: pendingDelete } = await recordRequest(db, {
      ...change(creation, 'delete'),
      idempotencyKey: `contacts-delete-${keys}`,
      userId: 'U0CREATOR',
      source: 'button',
      reply: { kind: 'modal', viewId: 'V-delete' },
      contact: contact({ firstName: 'Asha', lastName: 'Pillai', phone: freshIndianNumber() }),
    });
    expect(await contactToChange(db, creation.id)).toMatchObject({ ok: false, why: 'deleting' });
    await settleRequests(db, [{ id: pendingDelete.id, status: 'deleted', contactId }]);
    expect(await contactToChange(db, update.id)).toMatchObject({ ok: false, why: 'deleted' });
  });

  it('reads a request again for a retry: only a failed one, with who created its contact', async () => {
    const creation = await created();
    const failedCreate = await done({ userId: 'U0MAKER' }, { status: 'failed' });
    const failedUpdate = await done(change(creation, 'update', { userId: 'U0ADMIN' }), { status: 'failed' });
    expect(await requestToRetry(db, failedCreate.id)).toMatchObject({ ok: true, creatorId: 'U0MAKER' });
    expect(await requestToRetry(db, failedUpdate.id)).toMatchObject({ ok: true, creatorId: 'U0CREATOR' });
    expect(await requestToRetry(db, creation.id)).toMatchObject({ ok: false, why: 'not-failed' });
    expect(await requestToRetry(db, 987_654_321)).toEqual({ ok: false, why: 'unknown' });
  });

  it('records a retry as a new request linked both ways, carrying an earlier attempt’s uncertainty', async () => {
    const failed = await done({}, { status: 'failed' });
    const { row } = await recordRequest(db, {
      idempotencyKey: `retry:${failed.id}`,
      userId: 'U0RETRIER',
      source: 'button',
      reply: { kind: 'modal', viewId: 'V-retry' },
      contact: contact({ firstName: failed.firstName, lastName: failed.lastName, phone: failed.phoneE164 }),
      retryOf: { ...retryOf(failed).retryOf!, uncertain: true },
    });
    expect(row).toMatchObject({ status: 'pending', uncertain: true, phoneE164: failed.phoneE164 });
    const events = async (id: number) =>
      db.select().from(requestEvents).where(eq(requestEvents.requestId, id)).orderBy(asc(requestEvents.id));
    expect((await events(row.id))[0]).toMatchObject({ kind: 'recorded', detail: { source: 'button', retryOf: failed.id } });
    expect((await events(failed.id)).at(-1)).toMatchObject({ kind: 'retried', detail: { by: 'U0RETRIER', as: row.id } });
  });

  it('finds the messages that told a contact’s create and updates, where the outbox noted them', async () => {
    const creation = await created();
    const contactId = creation.contactId!;
    const update = await done(change(creation, 'update'), { status: 'updated', contactId });
    await done(change(creation, 'update'), { status: 'duplicate' });
    for (const [row, ts] of [
      [creation, '1700000000.000100'],
      [update, '1700000000.000200'],
    ] as const) {
      const [notice] = await claimNotices(db, { leaseMs: 60_000, limit: 5, requestIds: [row.id] });
      await noticesDelivered(db, [{ notice: notice!, detail: { channel: 'D0CREATOR', ts } }]);
    }
    const told = await outcomeMessages(db, contactId);
    expect(told.map((m) => [m.request.id, m.channel, m.ts])).toEqual([
      [creation.id, 'D0CREATOR', '1700000000.000100'],
      [update.id, 'D0CREATOR', '1700000000.000200'],
    ]);
  });
});
