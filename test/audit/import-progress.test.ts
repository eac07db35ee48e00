import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callBudgetOf } from '../../src/audit/budget.js';
import {
  cancelImport,
  claimImportsDue,
  findImport,
  importCounts,
  importNotShown,
  importShown,
  importTimeLeft,
} from '../../src/audit/import-progress.js';
import { claimRequests, recordRequest, settleRequests } from '../../src/audit/requests.js';
import { validateContact } from '../../src/contact/validate.js';
import { testTargets, type TestDatabase } from '../support/databases.js';
import { mobiles, submittedImport } from '../support/imports.js';

const MINUTE_S = 61;

describe.each(testTargets())("an import's progress in the audit trail on $name", (target) => {
  let database: TestDatabase;
  const db = () => database.db;

  // A database each: the time left counts every pending request.
  beforeEach(async () => {
    database = await target.open();
  });
  afterEach(async () => {
    await database?.close();
  });

  it('cancels the rows still waiting, and marks nothing cancelled when no row waits any more', async () => {
    const inputs = mobiles(60201, 3).map((phone, i) => ({ firstName: `Row${i}`, lastName: 'Cancel', phone }));
    const { importId } = await submittedImport(db(), { userId: 'U1', fileName: 'cancel.csv', inputs });
    const [first] = await claimRequests(db(), { leaseMs: 60_000, limit: 1 });
    await settleRequests(db(), [{ id: first!.id, status: 'created', contactId: 'c-1' }]);
    expect(await cancelImport(db(), importId, 'U1')).toBe(2);
    expect(await importCounts(db(), importId)).toEqual({ created: 1, cancelled: 2 });
    expect((await findImport(db(), importId))?.cancelledBy).toBe('U1');

    const { importId: sent } = await submittedImport(db(), { userId: 'U1', fileName: 'sent.csv', inputs: inputs.slice(0, 1) });
    const [only] = await claimRequests(db(), { leaseMs: 60_000, limit: 1 });
    await settleRequests(db(), [{ id: only!.id, status: 'created', contactId: 'c-2' }]);
    expect(await cancelImport(db(), sent, 'U1')).toBeUndefined();
    expect((await findImport(db(), sent))?.cancelledBy).toBeNull();
  });

  it('counts the rows not imported in the database', async () => {
    const inputs = [
      { firstName: 'Ok', lastName: 'Row', phone: '98765 60001' },
      { firstName: 'Bad', lastName: 'Row', phone: '12' },
      { firstName: 'Again', lastName: 'Row', phone: '98765 60001' },
    ];
    const { importId } = await submittedImport(db(), { userId: 'U1', fileName: 'count.csv', inputs });
    expect(await findImport(db(), importId)).toMatchObject({ requests: 1, notImportedCount: 2 });
  });

  it('puts the time left at the call that carries its last row, behind the contacts people wait for, by the budget', async () => {
    // One call a minute, spent: the budget frees a call each window from now on.
    const budget = callBudgetOf(db(), { accountId: 'acct-time-left', callsPerMinute: 1 });
    expect((await budget.take()).granted).toBe(true);
    const pace = { budget, batchSize: 1 };
    const inputs = mobiles(60101, 4).map((phone, i) => ({ firstName: `Row${i}`, lastName: 'Left', phone }));
    const { importId } = await submittedImport(db(), { userId: 'U1', fileName: 'left.csv', inputs });
    // Its last row goes with the fourth call from now: four windows.
    const before = (await importTimeLeft(db(), importId, pace))! / 1000;
    expect(before).toBeGreaterThan(3 * MINUTE_S);
    expect(before).toBeLessThanOrEqual(4 * MINUTE_S);

    // An agent's own contact, recorded after, is claimed before an import's rows: one window more.
    const contact = validateContact({ firstName: 'Own', lastName: 'Contact', phone: '98765 60199' }, 'IN');
    if (!contact.ok) throw new Error('the contact is valid');
    await recordRequest(db(), {
      idempotencyKey: 'time-left-own',
      userId: 'U2',
      source: 'slash',
      contact: contact.contact,
      reply: { kind: 'dm' },
    });
    const after = (await importTimeLeft(db(), importId, pace))! / 1000;
    expect(after).toBeGreaterThan(4 * MINUTE_S);
    expect(after).toBeLessThanOrEqual(5 * MINUTE_S);
  });

  it('looks at running imports in turn: those whose figures stand still do not keep the others from their turn', async () => {
    const ids: string[] = [];
    for (const [i, phone] of mobiles(60201, 12).entries()) {
      const inputs = [{ firstName: `Many${i}`, lastName: 'Imports', phone }];
      ids.push((await submittedImport(db(), { userId: 'U1', fileName: `many-${i}.csv`, inputs })).importId);
    }
    const looked = new Set<string>();
    for (let turn = 0; turn < 3; turn += 1) {
      const due = await claimImportsDue(db(), { leaseMs: 60_000, everyMs: 0, limit: 5 });
      for (const [n, { id }] of due.entries()) {
        looked.add(id);
        // Nothing changed, or Slack did not answer: either way it is looked at again at the next poll.
        await (n % 2 === 0 ? importShown(db(), id) : importNotShown(db(), id, 0));
      }
    }
    expect([...looked].sort()).toEqual([...ids].sort());
  });
});
