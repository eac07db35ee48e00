import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactRequests, emulatorContacts, requestEvents } from '../../db/schema.js';
import { backoffMs } from '../../src/audit/backoff.js';
import { createDelivery, type DeliveryOptions } from '../../src/audit/delivery.js';
import { claimRequests, findRequest, recordRequest, type RequestRow } from '../../src/audit/requests.js';
import type { Contact } from '../../src/contact/contact.js';
import type { Db } from '../../src/database.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { koreClient, type ContactsClient } from '../../src/kore/client.js';
import type { KoreIdentity } from '../../src/kore/endpoint.js';
import type { Outcome } from '../../src/kore/outcome.js';
import { createLogger } from '../../src/log.js';
import { contact, freshIndianNumber, loopback, reply, type Loopback, type Received } from '../kore/loopback.js';
import { testTargets, type TestDatabase } from '../support/databases.js';

/** A call an endpoint holds until the test answers it. */
interface HeldCall {
  res: ServerResponse;
  req: IncomingMessage;
  received: Received;
}

const identity: KoreIdentity = {
  streamId: 'st-delivery',
  accountId: 'acc-delivery',
  clientId: 'cs-delivery',
  clientSecret: 'delivery-test-secret-0123456789abcdef',
  enforceJti: false,
};

/** What the hooks were told, in order. */
function recorder() {
  const queued: [RequestRow, Outcome][] = [];
  const settled: RequestRow[] = [];
  return {
    queued,
    settled,
    hooks: {
      onQueued: async (row: RequestRow, outcome: Outcome) => void queued.push([row, outcome]),
      onSettled: async (row: RequestRow) => void settled.push(row),
    },
  };
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

let keys = 0;
async function record(db: Db, person: Contact): Promise<RequestRow> {
  keys += 1;
  const { row } = await recordRequest(db, { idempotencyKey: `delivery-${keys}-${Math.random()}`, userId: 'U0AGENT', source: 'slash', reply: { kind: 'modal', viewId: 'V-delivery' }, contact: person });
  return row;
}

function someone(name = 'Meera Pillai', phone = freshIndianNumber()): Contact {
  const [firstName, lastName] = name.split(' ');
  return contact({ firstName, lastName, phone });
}

describe.each(testTargets())('delivery on $name', (target) => {
  let database: TestDatabase;
  let db: Db;
  let emulator: Emulator;
  let toEmulator: ContactsClient;
  const logLines: string[] = [];
  const log = createLogger('debug', 'delivery-test', (line) => void logLines.push(line));
  const servers: Loopback[] = [];

  function delivery(contacts: ContactsClient, hooks: DeliveryOptions['hooks'], overrides: Partial<DeliveryOptions> = {}) {
    return createDelivery(db, { contacts, hooks, log, deadlineMs: 60 * 60_000, maxBackoffMs: 100, ...overrides });
  }

  async function endpoint(answer: Parameters<typeof loopback>[0]): Promise<ContactsClient> {
    const server = await loopback(answer);
    servers.push(server);
    return koreClient({ host: server.url, ...identity }, { defaultExtension: '+' });
  }

  /** An endpoint that holds each call until the test answers it. */
  async function heldEndpoint() {
    const calls: HeldCall[] = [];
    const server = await loopback((res, req, received) => void calls.push({ res, req, received }));
    servers.push(server);
    return {
      contacts: koreClient({ host: server.url, ...identity }, { defaultExtension: '+' }),
      async next() {
        await waitFor('a call to arrive', async () => calls.length > 0);
        return calls.shift()!;
      },
    };
  }

  /** Passes a held call on to the emulator; returns what it answered. */
  async function relay({ req, received }: HeldCall): Promise<{ status: number; body: unknown }> {
    const answer = await fetch(`${emulator.url}${received.url}`, {
      method: 'POST',
      headers: { auth: String(req.headers.auth), accountId: String(req.headers.accountid), 'Content-Type': 'application/json' },
      body: received.body,
    });
    return { status: answer.status, body: await answer.json() };
  }

  /** Answers a held call with what the emulator answers it. */
  async function forward(call: HeldCall): Promise<void> {
    const { status, body } = await relay(call);
    reply(status, body)(call.res);
  }

  async function pendingCount(): Promise<number> {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(contactRequests).where(eq(contactRequests.status, 'pending'));
    return row!.n;
  }

  /** Settles whatever earlier tests left pending, so a polling worker sees only this test's rows. */
  async function settleLeftovers(): Promise<void> {
    await db.update(contactRequests).set({ status: 'failed' }).where(eq(contactRequests.status, 'pending'));
  }

  async function eventKinds(id: number): Promise<string[]> {
    const rows = await db.select().from(requestEvents).where(eq(requestEvents.requestId, id)).orderBy(asc(requestEvents.id));
    return rows.map((e) => e.kind);
  }

  async function emulatorContact(id: string) {
    const [row] = await db.select().from(emulatorContacts).where(eq(emulatorContacts.id, id));
    return row;
  }

  beforeAll(async () => {
    database = await target.open();
    db = database.db;
    emulator = await startEmulator({ db, identity });
    toEmulator = koreClient({ host: emulator.url, ...identity }, { defaultExtension: '+' });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await emulator?.close();
    await database?.close();
  });

  it('creates a just-recorded request, stores the contact id and tells the user once', async () => {
    const told = recorder();
    const row = await record(db, contact({ salutation: 'Mr', firstName: 'Arjun', lastName: 'Mehta', phone: '+91 98765 43210' }));
    await delivery(toEmulator, told.hooks).deliverNow([row.id]);

    const settled = await findRequest(db, row.id);
    expect(settled).toMatchObject({ status: 'created', attempts: 1, leaseUntil: null, contactId: expect.stringMatching(/^c-/) });
    expect(await emulatorContact(settled!.contactId!)).toMatchObject({ phoneE164: '+919876543210', firstName: 'Arjun', lastName: 'Mehta' });
    expect(told.settled).toEqual([settled]);
    expect(told.queued).toEqual([]);
    expect(await eventKinds(row.id)).toEqual(['recorded', 'attempt', 'settled']);
  });

  it('accepts a request already leased to itself: no other worker takes it, and it is sent without a second claim', async () => {
    const told = recorder();
    const worker = delivery(toEmulator, told.hooks);
    const { row, isNew } = await worker.accept({ idempotencyKey: `accept-${Date.now()}`, userId: 'U1', source: 'slash', reply: { kind: 'modal', viewId: 'V-leased' }, contact: someone('Leased Early') });
    expect(isNew).toBe(true);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, leaseUntil: expect.any(Date) });
    expect(await claimRequests(db, { leaseMs: 60_000, limit: 10, ids: [row.id] })).toEqual([]);
    await worker.deliverNow([row.id]);
    expect(await findRequest(db, row.id)).toMatchObject({ status: 'created', attempts: 1 });
    expect(await eventKinds(row.id)).toEqual(['recorded', 'attempt', 'settled']);
    expect(told.settled).toHaveLength(1);
  });

  it('logs numbers masked, never in full', async () => {
    const row = await record(db, someone('Log Check', '+91 98111 22334'));
    await delivery(toEmulator, recorder().hooks).deliverNow([row.id]);
    const logged = logLines.join('');
    expect(logged).toContain('+91******2334');
    expect(logged).not.toContain('+919811122334');
  });

  it('isolates a duplicate and a refusal in a batch and creates all the others', async () => {
    await settleLeftovers();
    const taken = freshIndianNumber();
    expect((await toEmulator.create([someone('First Owner', taken)])).kind).toBe('created');

    const fine = [someone('Asha Rao'), someone('Vikram Singh'), someone('Neha Gupta'), someone('Rohan Das')];
    const rows = [
      await record(db, fine[0]!),
      await record(db, fine[1]!),
      await record(db, someone('Second Owner', taken)),
      await record(db, fine[2]!),
      await record(db, { ...someone('Blank Surname'), lastName: '   ' }),
      await record(db, fine[3]!),
    ];
    const told = recorder();
    const worker = delivery(toEmulator, told.hooks, { batchSize: 6, pollMs: 20 });
    worker.start();
    try {
      await waitFor('every request to settle', async () => (await pendingCount()) === 0);
    } finally {
      await worker.stop(5_000);
    }

    const after = await Promise.all(rows.map((r) => findRequest(db, r.id)));
    expect(after.map((r) => r!.status)).toEqual(['created', 'created', 'duplicate', 'created', 'rejected', 'created']);
    for (const row of after.filter((r) => r!.status === 'created')) {
      expect(await emulatorContact(row!.contactId!)).toMatchObject({ phoneE164: row!.phoneE164, firstName: row!.firstName });
    }
    expect(new Set(after.map((r) => r!.contactId)).size).toBe(5);
    expect(after[2]!.error).toMatchObject({ kind: 'duplicate', status: 409, messages: [expect.stringContaining('already exists')] });
    expect(after[4]!.error).toMatchObject({ kind: 'rejected', status: 400, messages: ['0.lastName is required'] });
    expect(told.settled.map((r) => r.id).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(told.queued).toEqual([]);
  });

  it('keeps a request pending and defers it when the endpoint answers 503, telling the user it is queued', async () => {
    const told = recorder();
    const row = await record(db, someone('Queued Once'));
    await delivery(await endpoint(reply(503, 'Service Unavailable')), told.hooks, { maxBackoffMs: 60_000 }).deliverNow([row.id]);

    const after = await findRequest(db, row.id);
    expect(after).toMatchObject({ status: 'pending', attempts: 1, leaseUntil: null, contactId: null });
    expect(after!.nextAttemptAt.getTime()).toBeGreaterThan(row.createdAt.getTime() + 400);
    expect(told.queued).toHaveLength(1);
    expect(told.queued[0]![0].id).toBe(row.id);
    expect(told.queued[0]![1]).toMatchObject({ kind: 'unavailable', status: 503, messages: ['Service Unavailable'] });
    expect(told.settled).toEqual([]);
    expect(await eventKinds(row.id)).toEqual(['recorded', 'attempt', 'retry']);
  });

  it('tells the user a request is queued once, however many retries it takes', async () => {
    await settleLeftovers();
    const told = recorder();
    const down = await endpoint(reply(503, ''));
    const row = await record(db, someone('Many Retries'));
    const worker = delivery(down, told.hooks, { pollMs: 20 });
    await worker.deliverNow([row.id]);
    worker.start();
    try {
      await waitFor('a third attempt', async () => (await findRequest(db, row.id))!.attempts >= 3);
    } finally {
      await worker.stop(5_000);
    }
    expect(told.queued.map(([queued]) => queued.id)).toEqual([row.id]);
    expect(told.settled).toEqual([]);
  });

  it('waits at least as long as Retry-After asks', async () => {
    const row = await record(db, someone('Rate Limited'));
    await delivery(await endpoint(reply(429, '', { 'retry-after': '120' })), recorder().hooks).deliverNow([row.id]);
    const after = await findRequest(db, row.id);
    expect(after!.status).toBe('pending');
    expect(after!.nextAttemptAt.getTime() - row.createdAt.getTime()).toBeGreaterThanOrEqual(119_000);
  });

  it('creates a queued request once the endpoint is back, and tells the user the outcome', async () => {
    await settleLeftovers();
    const told = recorder();
    const row = await record(db, someone('Comes Back'));
    await delivery(await endpoint(reply(503, '')), told.hooks).deliverNow([row.id]);
    expect(told.queued).toHaveLength(1);

    const worker = delivery(toEmulator, told.hooks, { pollMs: 20 });
    worker.start();
    try {
      await waitFor('the retry to settle', async () => (await findRequest(db, row.id))!.status !== 'pending');
    } finally {
      await worker.stop(5_000);
    }
    const after = await findRequest(db, row.id);
    expect(after).toMatchObject({ status: 'created', attempts: 2, contactId: expect.stringMatching(/^c-/) });
    expect(told.settled).toEqual([after]);
    expect(told.queued).toHaveLength(1);
    expect(await eventKinds(row.id)).toEqual(['recorded', 'attempt', 'retry', 'attempt', 'settled']);
  });

  it('flags a duplicate met after an attempt whose answer was lost', async () => {
    await settleLeftovers();
    const lossy = await heldEndpoint();
    const told = recorder();
    const row = await record(db, someone('Lost Answer'));
    const worker = delivery(lossy.contacts, told.hooks, { pollMs: 20 });
    const first = worker.deliverNow([row.id]);
    const lost = await lossy.next();
    expect((await relay(lost)).status).toBe(200);
    reply(502, 'Bad Gateway')(lost.res);
    await first;
    worker.start();
    try {
      await forward(await lossy.next());
      await waitFor('the retry to settle', async () => (await findRequest(db, row.id))!.status !== 'pending');
    } finally {
      await worker.stop(5_000);
    }
    expect(await findRequest(db, row.id)).toMatchObject({ status: 'duplicate', attempts: 2, error: { kind: 'duplicate', afterUncertainAttempt: true } });
  });

  // A refused connection never reached the endpoint: a number found taken on the retry is someone else's contact.
  it('does not blame a later duplicate on a first attempt whose connection was refused', async () => {
    await settleLeftovers();
    const taken = freshIndianNumber();
    expect((await toEmulator.create([someone('Someone Else', taken)])).kind).toBe('created');
    const closed = await loopback(reply(200, []));
    await closed.close();
    const refused = koreClient({ host: closed.url, ...identity }, { defaultExtension: '+' });
    const told = recorder();
    const row = await record(db, someone('Refused First', taken));
    await delivery(refused, told.hooks).deliverNow([row.id]);
    expect(await findRequest(db, row.id)).toMatchObject({ status: 'pending', uncertain: false });
    expect(told.queued).toHaveLength(1);

    const worker = delivery(toEmulator, told.hooks, { pollMs: 20 });
    worker.start();
    try {
      await waitFor('the retry to settle', async () => (await findRequest(db, row.id))!.status !== 'pending');
    } finally {
      await worker.stop(5_000);
    }
    const after = await findRequest(db, row.id);
    expect(after).toMatchObject({ status: 'duplicate', attempts: 2, uncertain: false });
    expect(after!.error).not.toMatchObject({ afterUncertainAttempt: true });
  });

  it('fails a request the endpoint has not answered by the deadline', async () => {
    const told = recorder();
    const row = await record(db, someone('Too Late'));
    await delivery(await endpoint(reply(503, 'Service Unavailable')), told.hooks, { deadlineMs: 0 }).deliverNow([row.id]);
    const after = await findRequest(db, row.id);
    expect(after).toMatchObject({ status: 'failed', attempts: 1, error: { kind: 'unavailable', status: 503, messages: ['Service Unavailable'] } });
    expect(told.settled).toEqual([after]);
    expect(told.queued).toEqual([]);
  });

  it('fails a request whose endpoint does not answer at all by the deadline', async () => {
    const row = await record(db, someone('Never Answered'));
    const silent = await loopback(() => {});
    servers.push(silent);
    const contacts = koreClient({ host: silent.url, ...identity }, { defaultExtension: '+', timeoutMs: 200 });
    await delivery(contacts, recorder().hooks, { deadlineMs: 0 }).deliverNow([row.id]);
    expect(await findRequest(db, row.id)).toMatchObject({ status: 'failed', error: { kind: 'unavailable', messages: ['No answer within 200 ms.'] } });
  });

  it('does not retry when the endpoint refuses the credentials', async () => {
    const told = recorder();
    const row = await record(db, someone('Bad Secret'));
    const wrong = koreClient({ host: emulator.url, ...identity, clientSecret: 'not-the-emulator-secret', enforceJti: false }, { defaultExtension: '+' });
    await delivery(wrong, told.hooks).deliverNow([row.id]);
    const after = await findRequest(db, row.id);
    expect(after).toMatchObject({ status: 'unauthorized', attempts: 1, error: { kind: 'unauthorized', status: 401 } });
    expect(told.settled).toEqual([after]);
  });

  it('takes over a request whose worker stalled holding its lease, and the stalled worker stays quiet', async () => {
    await settleLeftovers();
    const row = await record(db, someone('Orphaned Request'));
    const stalled = recorder();
    const stalledEndpoint = await heldEndpoint();
    const stalledAttempt = delivery(stalledEndpoint.contacts, stalled.hooks, { leaseMs: 50 }).deliverNow([row.id]);
    const stalledCall = await stalledEndpoint.next();

    const told = recorder();
    const worker = delivery(toEmulator, told.hooks, { pollMs: 20, leaseMs: 60_000 });
    worker.start();
    try {
      await waitFor('the request to settle', async () => (await findRequest(db, row.id))!.status !== 'pending');
    } finally {
      await worker.stop(5_000);
    }
    const created = await findRequest(db, row.id);
    expect(created).toMatchObject({ status: 'created', attempts: 2 });
    expect(told.settled).toEqual([created]);

    reply(503, 'Service Unavailable')(stalledCall.res);
    await stalledAttempt;
    expect(await findRequest(db, row.id)).toEqual(created);
    expect(stalled.queued).toEqual([]);
    expect(stalled.settled).toEqual([]);
    expect(await eventKinds(row.id)).toEqual(['recorded', 'attempt', 'attempt', 'settled']);
  });

  it('lets a stalled worker that answers late neither release nor reschedule the request another worker holds', async () => {
    await settleLeftovers();
    const row = await record(db, someone('Two Workers'));
    const stalled = recorder();
    const stalledEndpoint = await heldEndpoint();
    const stalledAttempt = delivery(stalledEndpoint.contacts, stalled.hooks, { leaseMs: 50 }).deliverNow([row.id]);
    const stalledCall = await stalledEndpoint.next();

    const current = recorder();
    const currentEndpoint = await heldEndpoint();
    const currentWorker = delivery(currentEndpoint.contacts, current.hooks, { pollMs: 20, leaseMs: 60_000 });
    currentWorker.start();
    try {
      const currentCall = await currentEndpoint.next();
      const leased = await findRequest(db, row.id);
      expect(leased!.attempts).toBe(2);

      reply(503, '')(stalledCall.res);
      await stalledAttempt;
      expect(await findRequest(db, row.id)).toEqual(leased);
      expect(stalled.queued).toEqual([]);

      await forward(currentCall);
      await waitFor('the request to settle', async () => (await findRequest(db, row.id))!.status !== 'pending');
    } finally {
      await currentWorker.stop(5_000);
    }
    expect(await findRequest(db, row.id)).toMatchObject({ status: 'created', attempts: 2 });
    expect(current.settled).toHaveLength(1);
    expect(stalled.settled).toEqual([]);
    expect(await eventKinds(row.id)).toEqual(['recorded', 'attempt', 'attempt', 'settled']);
  });
});

describe('backoffMs', () => {
  it('doubles with each attempt, from one second', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, 60_000, undefined, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it('jitters between half and all of the step', () => {
    expect([1, 2, 3].map((n) => backoffMs(n, 60_000, undefined, () => 0))).toEqual([500, 1_000, 2_000]);
    expect(backoffMs(3, 60_000, undefined, () => 0.5)).toBe(3_000);
  });

  it('is capped', () => {
    expect(backoffMs(10, 30_000, undefined, () => 1)).toBe(30_000);
    expect(backoffMs(10, 30_000, undefined, () => 0)).toBe(15_000);
    expect(backoffMs(5_000, 30_000, undefined, () => 1)).toBe(30_000);
  });

  it('waits at least what Retry-After asked, even beyond the cap', () => {
    expect(backoffMs(1, 30_000, 45_000, () => 1)).toBe(45_000);
    expect(backoffMs(3, 30_000, 100, () => 0)).toBe(2_000);
  });
});
