import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastEndpointError } from '../../src/audit/health.js';
import { listRequests, readHome } from '../../src/audit/home.js';
import { awaitBudget, deferRequest, recordRequest, settleRequests, type NewRequest, type RequestRow } from '../../src/audit/requests.js';
import { makeWaitingDue } from '../../src/audit/recovery.js';
import type { Db } from '../../src/database.js';
import { contact, freshIndianNumber } from '../kore/loopback.js';
import { testTargets, type TestDatabase } from '../support/databases.js';

let keys = 0;
function request(userId: string, overrides: Partial<NewRequest> = {}): NewRequest {
  keys += 1;
  return {
    idempotencyKey: `home-${keys}-${Math.random()}`,
    userId,
    source: 'slash',
    reply: { kind: 'cli' },
    contact: contact({ firstName: 'Meera', lastName: `Pillai${keys}`, phone: freshIndianNumber() }),
    ...overrides,
  };
}

/** A request recorded leased for its first attempt, as the delivery accepts one. */
async function recorded(db: Db, userId: string, overrides: Partial<NewRequest> = {}): Promise<RequestRow> {
  return (await recordRequest(db, request(userId, overrides), { leaseMs: 60_000 })).row;
}

const unavailable = (message: string, status?: number) => ({
  kind: 'unavailable' as const,
  messages: [message],
  ...(status ? { status } : {}),
});

describe.each(testTargets())('what the App Home reads on $name', (target) => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await target.open();
    db = database.db;
  });
  afterAll(() => database?.close());

  it("lists one user's requests newest first, and everyone's by id", async () => {
    const first = await recorded(db, 'ULIST1');
    const other = await recorded(db, 'ULIST2');
    const second = await recorded(db, 'ULIST1');
    expect((await listRequests(db, { userId: 'ULIST1', limit: 10 })).map((r) => r.id)).toEqual([second.id, first.id]);
    expect((await listRequests(db, { userId: 'ULIST1', limit: 1 })).map((r) => r.id)).toEqual([second.id]);
    expect((await listRequests(db, { limit: 2 })).map((r) => r.id)).toEqual([second.id, other.id]);
  });

  it('knows a contact deleted since it was created or updated, and only once the delete is done', async () => {
    const create = await recorded(db, 'UDEL');
    await settleRequests(db, [{ id: create.id, status: 'created', contactId: 'c-home-1' }]);
    const update = await recorded(db, 'UDEL', { operation: 'update', targetContactId: 'c-home-1' });
    await settleRequests(db, [{ id: update.id, status: 'updated', contactId: 'c-home-1' }]);
    const kept = await recorded(db, 'UDEL');
    await settleRequests(db, [{ id: kept.id, status: 'created', contactId: 'c-home-2' }]);
    const deleted = () => listRequests(db, { userId: 'UDEL', limit: 10 }).then((rows) => rows.map((r) => [r.id, r.contactDeleted]));

    const removal = await recorded(db, 'UDEL', { operation: 'delete', targetContactId: 'c-home-1' });
    expect(await deleted()).toEqual([
      [removal.id, false],
      [kept.id, false],
      [update.id, false],
      [create.id, false],
    ]);
    await settleRequests(db, [{ id: removal.id, status: 'deleted', contactId: 'c-home-1' }]);
    expect(await deleted()).toEqual([
      [removal.id, false],
      [kept.id, false],
      [update.id, true],
      [create.id, true],
    ]);
  });

  it("the endpoint's last error: no answer, or credentials refused; not a budget wait, an outage's end or a contact refused", async () => {
    const timedOut = await recorded(db, 'UERR');
    await deferRequest(db, timedOut, 60_000, unavailable('The endpoint did not answer within 10 s.'), true, true, true);
    const early = await lastEndpointError(db);
    expect(early).toMatchObject({ messages: ['The endpoint did not answer within 10 s.'] });
    expect(early?.status).toBeUndefined();
    expect(early?.at).toBeInstanceOf(Date);

    const refused = await recorded(db, 'UERR');
    const answer = { kind: 'unauthorized' as const, status: 401, messages: ['Invalid token'] };
    await settleRequests(db, [{ id: refused.id, status: 'unauthorized', error: answer }]);
    expect(await lastEndpointError(db)).toMatchObject({ status: 401, messages: ['Invalid token'] });

    // None of these is the endpoint's error: the last one stays the refused credentials.
    const waiting = await recorded(db, 'UERR');
    await awaitBudget(db, [waiting], 5_000);
    expect(await makeWaitingDue(db)).toBe(1);
    const duplicate = await recorded(db, 'UERR');
    const rejected = await recorded(db, 'UERR');
    await settleRequests(db, [
      { id: duplicate.id, status: 'duplicate', error: { kind: 'duplicate', status: 409, messages: ['Contact already exists'] } },
      { id: rejected.id, status: 'rejected', error: { kind: 'rejected', status: 400, messages: ['Invalid phone'] } },
      { id: timedOut.id, status: 'created', contactId: 'c-home-3' },
    ]);
    expect(await lastEndpointError(db)).toMatchObject({ status: 401, messages: ['Invalid token'] });

    const failed = await recorded(db, 'UERR');
    await settleRequests(db, [{ id: failed.id, status: 'failed', error: unavailable('Service Unavailable', 503) }]);
    expect(await lastEndpointError(db)).toMatchObject({ status: 503, messages: ['Service Unavailable'] });
  });

  it("reads the team's requests and the delivery's health for an admin only", async () => {
    const mine = await recorded(db, 'UADMINHOME');
    const agent = await readHome(db, 'UADMINHOME', false);
    expect(agent.mine.map((r) => r.id)).toEqual([mine.id]);
    expect(agent.team).toBeUndefined();
    const admin = await readHome(db, 'UADMINHOME', true);
    expect(admin.team?.requests[0]?.id).toBe(mine.id);
    expect(admin.team?.health.waitingRequests).toBeGreaterThanOrEqual(1);
    expect(admin.team?.lastError?.messages).toEqual(['Service Unavailable']);
  });
});
