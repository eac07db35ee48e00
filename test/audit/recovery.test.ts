import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactRequests, requestEvents } from '../../db/schema.js';
import { makeWaitingDue, waitsForRecovery } from '../../src/audit/recovery.js';
import { claimRequests, deferRequest, recordRequest, type RequestRow } from '../../src/audit/requests.js';
import type { Unavailable } from '../../src/kore/outcome.js';
import { contact, freshIndianNumber } from '../kore/loopback.js';
import { testTargets, type TestDatabase } from '../support/databases.js';

const unavailable = (fields: Partial<Unavailable>): Unavailable => ({ kind: 'unavailable', messages: ['down'], ...fields });

describe('waitsForRecovery', () => {
  it.each([
    ['no answer (timeout)', unavailable({ cause: 'timeout' })],
    ['a refused connection', unavailable({ cause: 'refused' })],
    ['408', unavailable({ status: 408 })],
    ['500', unavailable({ status: 500 })],
    ['503', unavailable({ status: 503 })],
  ])('waits only for the endpoint to answer after %s', (_, outcome) => {
    expect(waitsForRecovery(outcome)).toBe(true);
  });

  it.each([
    ['a 503 with Retry-After', unavailable({ status: 503, retryAfterMs: 120_000 })],
    ['a 429', unavailable({ status: 429 })],
    ['a 429 with Retry-After', unavailable({ status: 429, retryAfterMs: 60_000 })],
    ['a 400 with a rate-limit text', unavailable({ status: 400, messages: ["You've exceeded the per-minute rate limit."] })],
    ['a 403 with a rate-limit text', unavailable({ status: 403, messages: ['Rate limit for this API has been reached'] })],
    ['a success without the contact', unavailable({ status: 201, messages: ['The endpoint answered without this contact.'] })],
  ])('keeps the wait after %s', (_, outcome) => {
    expect(waitsForRecovery(outcome)).toBe(false);
  });
});

describe.each(testTargets())('makeWaitingDue on $name', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => {
    await database?.close();
  });

  let keys = 0;
  async function claimed(): Promise<RequestRow> {
    keys += 1;
    const { row } = await recordRequest(database.db, {
      idempotencyKey: `due-${keys}`,
      userId: 'U1',
      source: 'slash',
      reply: { kind: 'modal', viewId: 'V1' },
      contact: contact({ firstName: 'Due', lastName: `Person ${keys}`, phone: freshIndianNumber() }, 'IN'),
    });
    const [leased] = await claimRequests(database.db, { leaseMs: 60_000, limit: 1, ids: [row.id] });
    return leased!;
  }

  it('makes due only the pending, unleased requests that wait for the endpoint, with a retry event each', async () => {
    const down = await claimed();
    await deferRequest(database.db, down, 5 * 60_000, unavailable({ status: 503 }), false, true, true);
    const limited = await claimed();
    await deferRequest(database.db, limited, 5 * 60_000, unavailable({ status: 429, retryAfterMs: 300_000 }), false, true, false);
    const inFlight = await claimed();
    await deferRequest(database.db, inFlight, 5 * 60_000, unavailable({ status: 503 }), false, true, true);
    const [again] = await claimRequests(database.db, { leaseMs: 60_000, limit: 1, ids: [inFlight.id] });
    expect(again).toBeDefined();

    expect(await makeWaitingDue(database.db)).toBe(1);

    const rows = await database.db
      .select()
      .from(contactRequests)
      .where(inArray(contactRequests.id, [down.id, limited.id, inFlight.id]));
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(down.id)!.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(byId.get(limited.id)!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect(byId.get(inFlight.id)!.leaseUntil).not.toBeNull();
    const events = await database.db.select().from(requestEvents).where(eq(requestEvents.requestId, down.id));
    expect(events.at(-1)).toMatchObject({ kind: 'retry', detail: { reason: 'endpoint recovered' } });
    // Once due, it is not made due again (nothing changes without need, and no event without a change).
    expect(await makeWaitingDue(database.db)).toBe(0);
    expect(await claimRequests(database.db, { leaseMs: 60_000, limit: 10 })).toMatchObject([{ id: down.id }]);
  });
});
