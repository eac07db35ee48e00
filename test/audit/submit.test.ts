import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callBudgetOf } from '../../src/audit/budget.js';
import { createDelivery } from '../../src/audit/delivery.js';
import { findRequest, recentRequests, type RequestRow } from '../../src/audit/requests.js';
import { submitter, type Submission, type Submit } from '../../src/audit/submit.js';
import type { Db } from '../../src/database.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { koreClient } from '../../src/kore/client.js';
import type { KoreIdentity } from '../../src/kore/endpoint.js';
import { createLogger } from '../../src/log.js';
import { freshIndianNumber } from '../kore/loopback.js';
import { testTargets, type TestDatabase } from '../support/databases.js';

const identity: KoreIdentity = {
  streamId: 'st-submit',
  accountId: 'acc-submit',
  clientId: 'cs-submit',
  clientSecret: 'submit-secret-0123456789abcdef',
  enforceJti: false,
};

let keys = 0;
function submission(overrides: Partial<Submission> = {}): Submission {
  const key = `submit-${(keys += 1)}-${Math.random()}`;
  return {
    input: { firstName: 'Kavya', lastName: 'Iyer', phone: freshIndianNumber() },
    userId: 'U0SUBMIT',
    source: 'slash',
    reply: { kind: 'modal', viewId: 'V-submit' },
    idempotencyKey: () => key,
    ...overrides,
  };
}

describe.each(testTargets())('submit on $name', (target) => {
  let database: TestDatabase;
  let db: Db;
  let emulator: Emulator;
  let submit: Submit;

  beforeAll(async () => {
    database = await target.open();
    db = database.db;
    emulator = await startEmulator({ db, identity });
    const delivery = createDelivery(db, {
      contacts: koreClient({ host: emulator.url, ...identity }, { defaultExtension: '+' }),
      budget: callBudgetOf(db, { accountId: identity.accountId, callsPerMinute: 100_000 }),
      hooks: { onQueued: async () => {}, onSettled: async () => {} },
      log: createLogger('error', 'submit-test', () => {}),
      deadlineMs: 60_000,
    });
    submit = submitter({ delivery, defaultCountry: 'IN' });
  });
  afterAll(async () => {
    await emulator?.close();
    await database?.close();
  });

  it('records nothing for an invalid contact, and says what is wrong with it', async () => {
    const before = await recentRequests(db, { limit: 1 });
    const submitted = await submit(submission({ input: { firstName: 'Bob', phone: '12' } }));
    expect(submitted).toMatchObject({
      kind: 'invalid',
      invalid: { errors: { lastName: 'Enter a name.', phone: expect.any(String) } },
      unplaced: [],
    });
    expect(await recentRequests(db, { limit: 1 })).toEqual(before);
  });

  it('refuses a valid contact with text it could not place', async () => {
    const submitted = await submit(submission({ unplaced: ['x12ab'] }));
    expect(submitted).toEqual({ kind: 'invalid', unplaced: ['x12ab'] });
  });

  it('records, lets the way in tell its user, then sends', async () => {
    const seen: RequestRow[] = [];
    const submitted = await submit(
      submission({ input: { firstName: 'Kavya', lastName: 'Iyer', phone: '098765 01234' } }),
      async (row) => void seen.push(row),
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ status: 'pending', phoneE164: '+919876501234', source: 'slash', userId: 'U0SUBMIT' });
    expect(submitted).toMatchObject({ kind: 'accepted', isNew: true });
    expect(await findRequest(db, seen[0]!.id)).toMatchObject({ status: 'created', contactId: expect.stringMatching(/^c-/) });
  });

  it('sends an accepted request even when telling the user fails', async () => {
    const made = submission();
    let id = 0;
    await expect(
      submit(made, async (row) => {
        id = row.id;
        throw new Error('Slack is gone');
      }),
    ).rejects.toThrow('Slack is gone');
    expect(await findRequest(db, id)).toMatchObject({ status: 'created' });
  });

  it('takes the same submission made again as the same request, and sends it once', async () => {
    const made = submission();
    const first = await submit(made);
    const again = await submit(made);
    expect(again).toMatchObject({ kind: 'accepted', isNew: false, row: { id: first.kind === 'accepted' ? first.row.id : -1 } });
  });

  it('records nothing for an edit to the values the contact already has, however they are written', async () => {
    const created = await submit(submission({ input: { salutation: 'Ms', firstName: 'Asha', lastName: 'Rao', phone: '098765 04321' } }));
    if (created.kind !== 'accepted') throw new Error('not created');
    const current = (await findRequest(db, created.row.id))!;
    const before = await recentRequests(db, { limit: 1 });
    const edit = (input: Submission['input']) =>
      submit(submission({ input, operation: 'update', targetContactId: current.contactId!, current }));
    expect(await edit({ salutation: 'Ms', firstName: ' Asha ', lastName: 'Rao', phone: '+91 98765 04321' })).toEqual({ kind: 'unchanged' });
    expect(await recentRequests(db, { limit: 1 })).toEqual(before);

    const changed = await edit({ salutation: 'Ms', firstName: 'Asha', lastName: 'Rao', phone: '+91 98765 04321', extension: '7' });
    expect(changed).toMatchObject({ kind: 'accepted', isNew: true, row: { operation: 'update', targetContactId: current.contactId } });
    expect(await findRequest(db, changed.kind === 'accepted' ? changed.row.id : -1)).toMatchObject({
      status: 'updated',
      contactId: current.contactId,
      extension: '7',
    });
  });
});
