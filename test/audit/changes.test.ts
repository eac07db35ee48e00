import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactRequests } from '../../db/schema.js';
import { callBudgetOf } from '../../src/audit/budget.js';
import { createDelivery } from '../../src/audit/delivery.js';
import { claimRequests, findRequest, recordRequest, settleRequests, type NewRequest, type RequestRow } from '../../src/audit/requests.js';
import type { Db } from '../../src/database.js';
import { koreClient } from '../../src/kore/client.js';
import { createLogger } from '../../src/log.js';
import { contact, freshIndianNumber, loopback, type Loopback, type Received } from '../kore/loopback.js';
import { testTargets, type TestDatabase } from '../support/databases.js';
import { waitFor } from './delivery-fixture.js';

let keys = 0;
/** An update or a delete of `targetContactId`, as edit and delete will record them. */
function change(operation: 'update' | 'delete', targetContactId: string): NewRequest {
  keys += 1;
  return {
    idempotencyKey: `change-${keys}-${Math.random()}`,
    userId: 'U0AGENT',
    source: 'slash',
    reply: { kind: 'modal', viewId: 'V-change' },
    operation,
    targetContactId,
    contact: contact({ firstName: 'Meera', lastName: 'Pillai', phone: freshIndianNumber() }),
  };
}

/** The contact a PUT or DELETE is answered with: the one the path names. */
function answerFor(received: Received, res: ServerResponse): void {
  const id = decodeURIComponent(received.url.split('/').pop() ?? '');
  const status = received.method === 'DELETE' ? 'INACTIVE' : 'ACTIVE';
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, status, fullName: 'Meera Pillai' }));
}

describe.each(testTargets())('changes to a contact on $name', (target) => {
  let database: TestDatabase;
  let db: Db;
  const servers: Loopback[] = [];
  const log = createLogger('error', 'changes-test', () => {});

  /** An endpoint that answers each change at once (or holds it, when `held` collects it). */
  async function endpoint(held?: { received: Received; res: ServerResponse }[]) {
    const server = await loopback((res, _req, received) => (held ? held.push({ received, res }) : answerFor(received, res)));
    servers.push(server);
    const contacts = koreClient(
      {
        host: server.url,
        streamId: 'st-changes',
        accountId: 'acc',
        clientId: 'cs',
        clientSecret: 'changes-secret-0123456789abcdef',
        enforceJti: false,
      },
      { defaultExtension: '+' },
    );
    return { server, contacts };
  }

  function worker(contacts: Awaited<ReturnType<typeof endpoint>>['contacts'], settled: RequestRow[] = []) {
    const hooks = { onQueued: async () => {}, onSettled: async (row: RequestRow) => void settled.push(row) };
    const budget = callBudgetOf(db, { accountId: 'acc', callsPerMinute: 100_000 });
    return createDelivery(db, { contacts, budget, hooks, log, deadlineMs: 60 * 60_000, maxBackoffMs: 100, pollMs: 20 });
  }

  async function settleLeftovers(): Promise<void> {
    await db.update(contactRequests).set({ status: 'failed' }).where(eq(contactRequests.status, 'pending'));
  }

  beforeAll(async () => {
    database = await target.open();
    db = database.db;
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await database?.close();
  });

  it('records a change unleased, so a claim can make it wait its turn', async () => {
    const { row } = await recordRequest(db, change('update', 'c-unleased'), { leaseMs: 60_000 });
    expect(row).toMatchObject({ operation: 'update', targetContactId: 'c-unleased', attempts: 0, leaseUntil: null });
  });

  it('holds back a change while an earlier request for the same contact is pending, and not one for another contact', async () => {
    await settleLeftovers();
    const first = (await recordRequest(db, change('update', 'c-ordered'))).row;
    const second = (await recordRequest(db, change('delete', 'c-ordered'))).row;
    const other = (await recordRequest(db, change('delete', 'c-elsewhere'))).row;
    const claimed = await claimRequests(db, { leaseMs: 60_000, limit: 10 });
    expect(claimed.map((r) => r.id).sort()).toEqual([first.id, other.id].sort());
    expect(await claimRequests(db, { leaseMs: 60_000, limit: 10, ids: [second.id] })).toEqual([]);

    await settleRequests(db, [{ id: first.id, status: 'updated', contactId: 'c-ordered' }]);
    expect((await claimRequests(db, { leaseMs: 60_000, limit: 10, ids: [second.id] })).map((r) => r.id)).toEqual([second.id]);
  });

  it('sends an update as a PUT and a delete as a DELETE, one contact per call, and settles each with its contact', async () => {
    await settleLeftovers();
    const { server, contacts } = await endpoint();
    const rows = [
      (await recordRequest(db, change('update', 'c-put-1'))).row,
      (await recordRequest(db, change('update', 'c-put-2'))).row,
      (await recordRequest(db, change('delete', 'c-del-1'))).row,
    ];
    const settled: RequestRow[] = [];
    await worker(contacts, settled).deliverNow(rows.map((r) => r.id));
    const after = await Promise.all(rows.map((r) => findRequest(db, r.id)));
    expect(after.map((r) => [r!.status, r!.contactId])).toEqual([
      ['updated', 'c-put-1'],
      ['updated', 'c-put-2'],
      ['deleted', 'c-del-1'],
    ]);
    expect(server.received.map((r) => `${r.method} ${r.url.split('/').pop()}`).sort()).toEqual([
      'DELETE c-del-1',
      'PUT c-put-1',
      'PUT c-put-2',
    ]);
    for (const put of server.received.filter((r) => r.method === 'PUT')) expect(Array.isArray(JSON.parse(put.body))).toBe(false);
    expect(settled).toHaveLength(3);
  });

  it('sends a change only once the earlier one for its contact has settled', async () => {
    await settleLeftovers();
    const held: { received: Received; res: ServerResponse }[] = [];
    const { contacts } = await endpoint(held);
    const update = (await recordRequest(db, change('update', 'c-in-turn'))).row;
    const remove = (await recordRequest(db, change('delete', 'c-in-turn'))).row;
    const running = worker(contacts);
    running.start();
    try {
      await waitFor('the update to arrive', async () => held.length > 0);
      await sleep(200); // ten polls go by while the update is unanswered: the delete stays back
      expect(held.map((h) => h.received.method)).toEqual(['PUT']);
      expect(await findRequest(db, remove.id)).toMatchObject({ status: 'pending', attempts: 0 });
      answerFor(held[0]!.received, held[0]!.res);
      await waitFor('the delete to arrive', async () => held.length > 1);
      answerFor(held[1]!.received, held[1]!.res);
      await waitFor('the delete to settle', async () => (await findRequest(db, remove.id))!.status !== 'pending');
    } finally {
      await running.stop(5_000);
    }
    expect(held.map((h) => h.received.method)).toEqual(['PUT', 'DELETE']);
    expect(await findRequest(db, update.id)).toMatchObject({ status: 'updated' });
    expect(await findRequest(db, remove.id)).toMatchObject({ status: 'deleted', contactId: 'c-in-turn' });
  });

  it('retries a change answered with some other contact, as a success that is not ours', async () => {
    const server = await loopback((res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'c-not-this-one' })),
    );
    servers.push(server);
    const contacts = koreClient(
      {
        host: server.url,
        streamId: 'st',
        accountId: 'acc',
        clientId: 'cs',
        clientSecret: 'changes-secret-0123456789abcdef',
        enforceJti: false,
      },
      { defaultExtension: '+' },
    );
    const row = (await recordRequest(db, change('update', 'c-mine'))).row;
    await worker(contacts).deliverNow([row.id]);
    expect(await findRequest(db, row.id)).toMatchObject({ status: 'pending', uncertain: true, attempts: 1 });
  });
});
