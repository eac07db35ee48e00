import { setTimeout as sleep } from 'node:timers/promises';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactRequests, requestEvents } from '../../db/schema.js';
import {
  claimRequests,
  deferRequest,
  findRequest,
  recentRequests,
  recordRequest,
  requestContact,
  settleRequests,
  type NewRequest,
  type RequestRow,
  type Settlement,
} from '../../src/audit/requests.js';
import type { Db } from '../../src/database.js';
import { contact, freshIndianNumber } from '../kore/loopback.js';
import { testTargets, type TestDatabase } from '../support/databases.js';

let keys = 0;
function request(overrides: Partial<NewRequest> = {}, phone = freshIndianNumber()): NewRequest {
  keys += 1;
  return {
    idempotencyKey: `key-${keys}-${Math.random()}`,
    teamId: 'T0123',
    userId: 'U0AGENT',
    source: 'slash',
    reply: { kind: 'modal', viewId: 'V-audit' },
    contact: contact({ salutation: 'Ms', firstName: 'Meera', lastName: 'Pillai', phone }),
    ...overrides,
  };
}

async function eventsOf(db: Db, id: number) {
  return db.select().from(requestEvents).where(eq(requestEvents.requestId, id)).orderBy(asc(requestEvents.id));
}

/** Settles whatever earlier tests left pending, so claims without ids see only this test's rows. */
async function settleLeftovers(db: Db): Promise<void> {
  await db.update(contactRequests).set({ status: 'failed' }).where(eq(contactRequests.status, 'pending'));
}

/** Settles one request, as the delivery does for each of a batch. */
async function settleOne(db: Db, id: number, settlement: Omit<Settlement, 'id'>): Promise<RequestRow | undefined> {
  return (await settleRequests(db, [{ id, ...settlement }]))[0];
}

describe.each(testTargets())('the audit trail on $name', (target) => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await target.open();
    db = database.db;
  });
  afterAll(() => database?.close());

  describe('recordRequest', () => {
    it('stores a pending request with the normalised contact and a recorded event', async () => {
      const { row, isNew } = await recordRequest(
        db,
        request({
          contact: contact({ salutation: 'Dr', firstName: 'Priya', lastName: 'Natarajan', phone: '099887 76655 ext. 12', country: 'IN' }),
          reply: { kind: 'modal', viewId: 'V123' },
        }),
      );
      expect(isNew).toBe(true);
      expect(row).toMatchObject({
        teamId: 'T0123',
        userId: 'U0AGENT',
        source: 'slash',
        salutation: 'Dr',
        firstName: 'Priya',
        lastName: 'Natarajan',
        phoneE164: '+919988776655',
        countryCode: '+91',
        nationalNumber: '9988776655',
        extension: '12',
        status: 'pending',
        attempts: 0,
        contactId: null,
        error: null,
        leaseUntil: null,
        settledAt: null,
        reply: { kind: 'modal', viewId: 'V123' },
      });
      expect(await findRequest(db, row.id)).toEqual(row);
      const events = await eventsOf(db, row.id);
      expect(events.map((e) => [e.kind, e.detail])).toEqual([['recorded', { source: 'slash' }]]);
    });

    it('returns the earlier request for a repeated idempotency key and stores nothing new', async () => {
      const first = request();
      const a = await recordRequest(db, first);
      const b = await recordRequest(db, {
        ...first,
        userId: 'U0OTHER',
        contact: contact({ firstName: 'Some', lastName: 'One', phone: freshIndianNumber() }),
      });
      expect(b).toEqual({ row: a.row, isNew: false });
      const rows = await db.select().from(contactRequests).where(eq(contactRequests.idempotencyKey, first.idempotencyKey));
      expect(rows).toHaveLength(1);
      expect((await eventsOf(db, a.row.id)).map((e) => e.kind)).toEqual(['recorded']);
    });

    it('records a key once when the same request arrives concurrently', async () => {
      const same = request();
      const results = await Promise.all(Array.from({ length: 5 }, () => recordRequest(db, same)));
      expect(results.filter((r) => r.isNew)).toHaveLength(1);
      expect(new Set(results.map((r) => r.row.id)).size).toBe(1);
      expect((await eventsOf(db, results[0]!.row.id)).map((e) => e.kind)).toEqual(['recorded']);
    });

    it('keeps what the endpoint is sent', async () => {
      const sent = contact({ salutation: 'Mr', firstName: 'Jean', lastName: 'Dupont', phone: '+1 201 555 0123 ext. 42' });
      const { row } = await recordRequest(db, request({ contact: sent }));
      expect(requestContact(row)).toEqual({
        salutation: 'Mr',
        firstName: 'Jean',
        lastName: 'Dupont',
        phone: { countryCode: '+1', nationalNumber: '2015550123', extension: '42' },
      });
      const { row: plain } = await recordRequest(
        db,
        request({ contact: contact({ firstName: 'No', lastName: 'Title', phone: '+44 7400 123456' }) }),
      );
      expect(requestContact(plain)).toEqual({
        salutation: undefined,
        firstName: 'No',
        lastName: 'Title',
        phone: { countryCode: '+44', nationalNumber: '7400123456' },
      });
    });
  });

  describe('claimRequests', () => {
    it('leases a due request once, counting the attempt', async () => {
      await settleLeftovers(db);
      const { row } = await recordRequest(db, request());
      const claimed = await claimRequests(db, { leaseMs: 60_000, limit: 10 });
      expect(claimed.map((r) => r.id)).toEqual([row.id]);
      expect(claimed[0]!.attempts).toBe(1);
      expect(claimed[0]!.leaseUntil!.getTime()).toBeGreaterThan(row.createdAt.getTime() + 50_000);
      expect(await claimRequests(db, { leaseMs: 60_000, limit: 10 })).toEqual([]);
      expect(await claimRequests(db, { leaseMs: 60_000, limit: 10, ids: [row.id] })).toEqual([]);
      const events = await eventsOf(db, row.id);
      expect(events.map((e) => e.kind)).toEqual(['recorded', 'attempt']);
      expect(events[1]!.detail).toMatchObject({ attempt: 1 });
    });

    it('never hands the same request to two concurrent claimers', async () => {
      await settleLeftovers(db);
      const ids = new Set<number>();
      for (let i = 0; i < 20; i += 1) ids.add((await recordRequest(db, request())).row.id);
      const claimer = async () => {
        const mine: number[] = [];
        for (;;) {
          const rows = await claimRequests(db, { leaseMs: 60_000, limit: 3 });
          if (rows.length === 0) return mine;
          mine.push(...rows.map((r) => r.id));
        }
      };
      const claimed = (await Promise.all([claimer(), claimer(), claimer(), claimer()])).flat();
      expect(claimed.sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
      const rows = await db
        .select()
        .from(contactRequests)
        .where(sql`${contactRequests.id} in ${[...ids]}`);
      expect(rows.map((r) => r.attempts)).toEqual(Array(20).fill(1));
      const attempts = await db
        .select()
        .from(requestEvents)
        .where(sql`${requestEvents.requestId} in ${[...ids]} and ${requestEvents.kind} = 'attempt'`);
      expect(attempts).toHaveLength(20);
    });

    it('takes only the given requests when ids are passed, due or not', async () => {
      await settleLeftovers(db);
      const { row: wanted } = await recordRequest(db, request());
      const { row: other } = await recordRequest(db, request());
      expect(await deferRequest(db, wanted, 60_000, 'later', false)).toBe(true);
      const claimed = await claimRequests(db, { leaseMs: 60_000, limit: 5, ids: [wanted.id] });
      expect(claimed.map((r) => r.id)).toEqual([wanted.id]);
      expect((await findRequest(db, other.id))!.attempts).toBe(0);
    });

    it('takes a leased request again once its lease has run out', async () => {
      const { row } = await recordRequest(db, request());
      expect(await claimRequests(db, { leaseMs: 50, limit: 1, ids: [row.id] })).toHaveLength(1);
      expect(await claimRequests(db, { leaseMs: 50, limit: 1, ids: [row.id] })).toEqual([]);
      await sleep(150);
      const again = await claimRequests(db, { leaseMs: 50, limit: 1, ids: [row.id] });
      expect(again.map((r) => [r.id, r.attempts, r.uncertain])).toEqual([[row.id, 2, true]]);
      expect((await eventsOf(db, row.id)).map((e) => e.kind)).toEqual(['recorded', 'attempt', 'attempt']);
    });

    it('remembers an attempt that may have reached the endpoint, and only such an attempt', async () => {
      const { row } = await recordRequest(db, request());
      const [first] = await claimRequests(db, { leaseMs: 60_000, limit: 1, ids: [row.id] });
      expect(first!.uncertain).toBe(false);
      await deferRequest(db, first!, 0, 'HTTP 503', false);
      const [second] = await claimRequests(db, { leaseMs: 60_000, limit: 1, ids: [row.id] });
      expect(second!.uncertain).toBe(false);
      await deferRequest(db, second!, 0, 'timed out', true);
      const [third] = await claimRequests(db, { leaseMs: 60_000, limit: 1, ids: [row.id] });
      expect(third!.uncertain).toBe(true);
    });
  });

  describe('settleRequests', () => {
    it('settles a batch in one go, skipping what was settled already', async () => {
      const a = (await recordRequest(db, request())).row;
      const b = (await recordRequest(db, request())).row;
      await settleOne(db, b.id, { status: 'rejected' });
      const settled = await settleRequests(db, [
        { id: a.id, status: 'created', contactId: 'c-batch-a' },
        { id: b.id, status: 'created', contactId: 'c-batch-b' },
      ]);
      expect(settled.map((r) => [r.id, r.status, r.contactId])).toEqual([[a.id, 'created', 'c-batch-a']]);
      expect((await findRequest(db, b.id))!.status).toBe('rejected');
    });

    it('settles once, with a settled event, and the request is no longer claimable', async () => {
      const { row } = await recordRequest(db, request());
      await claimRequests(db, { leaseMs: 60_000, limit: 1, ids: [row.id] });
      const settled = await settleOne(db, row.id, { status: 'created', contactId: 'c-1234' });
      expect(settled).toMatchObject({ id: row.id, status: 'created', contactId: 'c-1234', leaseUntil: null, attempts: 1 });
      expect(settled!.settledAt).toBeInstanceOf(Date);
      expect(
        await settleOne(db, row.id, { status: 'duplicate', error: { kind: 'duplicate', status: 409, messages: ['late'] } }),
      ).toBeUndefined();
      expect(await findRequest(db, row.id)).toEqual(settled);
      expect(await claimRequests(db, { leaseMs: 60_000, limit: 1, ids: [row.id] })).toEqual([]);
      const events = await eventsOf(db, row.id);
      expect(events.map((e) => e.kind)).toEqual(['recorded', 'attempt', 'settled']);
      expect(events[2]!.detail).toEqual({ status: 'created', contactId: 'c-1234' });
    });

    it('keeps the endpoint error of a refusal', async () => {
      const { row } = await recordRequest(db, request());
      const error = { kind: 'rejected' as const, status: 400, messages: ['0.lastName is required'] };
      const settled = await settleOne(db, row.id, { status: 'rejected', error });
      expect(settled).toMatchObject({ status: 'rejected', contactId: null, error });
    });
  });

  describe('deferRequest', () => {
    it('releases the lease and keeps the request back until its time', async () => {
      await settleLeftovers(db);
      const { row } = await recordRequest(db, request());
      const [claimed] = await claimRequests(db, { leaseMs: 60_000, limit: 1 });
      expect(await deferRequest(db, claimed!, 60_000, { kind: 'unavailable', status: 503 }, false)).toBe(true);
      const deferred = await findRequest(db, row.id);
      expect(deferred!.leaseUntil).toBeNull();
      expect(deferred!.status).toBe('pending');
      expect(deferred!.nextAttemptAt.getTime() - row.createdAt.getTime()).toBeGreaterThan(55_000);
      expect(await claimRequests(db, { leaseMs: 60_000, limit: 10 })).toEqual([]);
      const events = await eventsOf(db, row.id);
      expect(events.map((e) => e.kind)).toEqual(['recorded', 'attempt', 'retry']);
      expect(events[2]!.detail).toMatchObject({ reason: { kind: 'unavailable', status: 503 } });
    });

    it('makes the request due again after the delay', async () => {
      await settleLeftovers(db);
      const { row } = await recordRequest(db, request());
      const [claimed] = await claimRequests(db, { leaseMs: 60_000, limit: 1 });
      await deferRequest(db, claimed!, 100, 'soon', false);
      expect(await claimRequests(db, { leaseMs: 60_000, limit: 10 })).toEqual([]);
      await sleep(250);
      expect((await claimRequests(db, { leaseMs: 60_000, limit: 10 })).map((r) => [r.id, r.attempts])).toEqual([[row.id, 2]]);
    });

    it('leaves alone a request claimed again since the attempt that defers it', async () => {
      const { row } = await recordRequest(db, request());
      const [stale] = await claimRequests(db, { leaseMs: 50, limit: 1, ids: [row.id] });
      await sleep(150);
      const [current] = await claimRequests(db, { leaseMs: 60_000, limit: 1, ids: [row.id] });
      expect(await deferRequest(db, stale!, 0, 'late answer of attempt 1', false)).toBe(false);
      expect(await findRequest(db, row.id)).toEqual(current);
      expect(await deferRequest(db, current!, 0, 'answer of attempt 2', false)).toBe(true);
      expect((await eventsOf(db, row.id)).map((e) => e.kind)).toEqual(['recorded', 'attempt', 'attempt', 'retry']);
    });

    it('leaves a settled request alone', async () => {
      const { row } = await recordRequest(db, request());
      const settled = await settleOne(db, row.id, { status: 'unauthorized' });
      expect(await deferRequest(db, row, 1_000, 'too late', false)).toBe(false);
      expect(await findRequest(db, row.id)).toEqual(settled);
      expect((await eventsOf(db, row.id)).map((e) => e.kind)).toEqual(['recorded', 'settled']);
    });
  });

  it('has an event for every change to a request, in order', async () => {
    const { row } = await recordRequest(db, request());
    const [first] = await claimRequests(db, { leaseMs: 60_000, limit: 1, ids: [row.id] });
    await deferRequest(db, first!, 0, 'HTTP 503', false);
    const [second] = await claimRequests(db, { leaseMs: 60_000, limit: 1, ids: [row.id] });
    await settleOne(db, row.id, { status: 'created', contactId: 'c-5678' });
    await settleOne(db, row.id, { status: 'failed' });
    await deferRequest(db, second!, 0, 'ignored', false);
    const events = await eventsOf(db, row.id);
    expect(events.map((e) => e.kind)).toEqual(['recorded', 'attempt', 'retry', 'attempt', 'settled']);
    expect(events.filter((e) => e.kind === 'attempt').map((e) => e.detail)).toMatchObject([{ attempt: 1 }, { attempt: 2 }]);
    expect(await findRequest(db, row.id)).toMatchObject({ status: 'created', contactId: 'c-5678', attempts: 2 });
  });

  it('lists a user’s requests newest first', async () => {
    const user = `U${Math.random().toString(36).slice(2, 10).toUpperCase()}`;
    const mine: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      mine.push((await recordRequest(db, request({ userId: user }))).row.id);
      await recordRequest(db, request({ userId: 'U0SOMEONEELSE' }));
    }
    expect((await recentRequests(db, { userId: user, limit: 10 })).map((r) => r.id)).toEqual([...mine].reverse());
    expect((await recentRequests(db, { userId: user, limit: 2 })).map((r) => r.id)).toEqual([mine[2], mine[1]]);
    const everyone = await recentRequests(db, { limit: 4 });
    expect(everyone.map((r) => r.id)).toEqual([...everyone.map((r) => r.id)].sort((a, b) => b - a));
    expect(everyone[1]!.id).toBe(mine[2]);
  });
});
