import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { callBudget, contactRequests } from '../../db/schema.js';
import { findRequest } from '../../src/audit/requests.js';
import { reply } from '../kore/loopback.js';
import { testTargets } from '../support/databases.js';
import { deliveryFixture, record, recorder, someone, waitFor } from './delivery-fixture.js';

const RATE_LIMITED = {
  errors: [{ msg: "You've exceeded the per-minute rate limit. Please wait for sometime before retrying.", code: '400' }],
};

/** The vendor's rate-limit answer may come as a 400: it must hold the contact back, not refuse it. */
describe.each(testTargets())('a rate-limit answer through the delivery on $name', (target) => {
  const f = deliveryFixture(target);

  it('waits the minute out, then creates the contact, and never takes the refused call as one that may have arrived', async () => {
    await f.settleLeftovers();
    const endpoint = await f.heldEndpoint();
    const told = recorder();
    const row = await record(f.db, someone('Rate Limited'));
    const worker = f.delivery(endpoint.contacts, told.hooks, { pollMs: 20 });

    const before = Date.now();
    const first = worker.deliverNow([row.id]);
    reply(400, RATE_LIMITED)((await endpoint.next()).res);
    await first;
    const waiting = await findRequest(f.db, row.id);
    expect(waiting).toMatchObject({ status: 'pending', uncertain: false, attempts: 1 });
    expect(waiting!.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    expect(told.queued.map((queued) => queued.id)).toEqual([row.id]);
    expect((await f.events(row.id)).at(-1)!.detail).toMatchObject({ reason: { kind: 'unavailable', rateLimited: true } });
    // The account's minute is spent for every instance, not only for this request.
    const [budget] = await f.db.select().from(callBudget);
    expect(budget!.blockedUntil!.getTime()).toBeGreaterThanOrEqual(before + 60_000);

    // The minute is not waited out here: the retry and the budget are made due now, as they would be once it passed.
    await f.db.update(contactRequests).set({ nextAttemptAt: sql`now()` }).where(eq(contactRequests.id, row.id));
    await f.db.update(callBudget).set({ blockedUntil: null });
    worker.start();
    try {
      await f.forward(await endpoint.next());
      await waitFor('the retry to settle', async () => (await findRequest(f.db, row.id))!.status !== 'pending');
    } finally {
      await worker.stop(5_000);
    }
    const settled = await findRequest(f.db, row.id);
    expect(settled).toMatchObject({ status: 'created', attempts: 2, uncertain: false, contactId: expect.stringMatching(/^c-/) });
    expect(told.settled).toEqual([settled]);
    expect(await f.eventKinds(row.id)).toEqual(['recorded', 'attempt', 'retry', 'attempt', 'settled']);
  });

  it('holds a request and the account back at most an hour, whatever Retry-After the endpoint sends', async () => {
    await f.settleLeftovers();
    for (const retryAfter of ['99999999999999999999', '86400', 'Fri, 31 Dec 9999 23:59:59 GMT']) {
      const row = await record(f.db, someone('Far Future'));
      const before = Date.now();
      // A deadline of a day, so the wait, not the deadline, decides when the request is tried again.
      const endpoint = await f.endpoint(reply(429, RATE_LIMITED, { 'retry-after': retryAfter }));
      await f.delivery(endpoint, recorder().hooks, { deadlineMs: 24 * 60 * 60_000 }).deliverNow([row.id]);
      const waiting = await findRequest(f.db, row.id);
      expect(waiting).toMatchObject({ status: 'pending', leaseUntil: null });
      expect(waiting!.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 59 * 60_000);
      expect(waiting!.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now() + 60 * 60_000);
      const blocked = await f.db.select().from(callBudget);
      for (const budget of blocked.filter((b) => b.blockedUntil)) {
        expect(budget.blockedUntil!.getTime()).toBeLessThanOrEqual(Date.now() + 60 * 60_000);
      }
    }
  });
});
