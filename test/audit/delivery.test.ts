import { describe, expect, it } from 'vitest';
import { claimRequests, findRequest } from '../../src/audit/requests.js';
import { koreClient } from '../../src/kore/client.js';
import { contact, freshIndianNumber, loopback, reply } from '../kore/loopback.js';
import { testTargets } from '../support/databases.js';
import { deliveryFixture, identity, record, recorder, someone, runUntil } from './delivery-fixture.js';

describe.each(testTargets())('delivery on $name', (target) => {
  const f = deliveryFixture(target);
  const { delivery, endpoint, pendingCount, settleLeftovers, eventKinds, emulatorContact } = f;
  it('creates a just-recorded request, stores the contact id and tells the user once', async () => {
    const told = recorder();
    const row = await record(f.db, contact({ salutation: 'Mr', firstName: 'Arjun', lastName: 'Mehta', phone: '+91 98765 43210' }));
    await delivery(f.toEmulator, told.hooks).deliverNow([row.id]);

    const settled = await findRequest(f.db, row.id);
    expect(settled).toMatchObject({ status: 'created', attempts: 1, leaseUntil: null, contactId: expect.stringMatching(/^c-/) });
    expect(await emulatorContact(settled!.contactId!)).toMatchObject({ phoneE164: '+919876543210', firstName: 'Arjun', lastName: 'Mehta' });
    expect(told.settled).toEqual([settled]);
    expect(told.queued).toEqual([]);
    expect(await eventKinds(row.id)).toEqual(['recorded', 'attempt', 'settled']);
  });

  it('accepts a request already leased to itself: no other worker takes it, and it is sent without a second claim', async () => {
    const told = recorder();
    const worker = delivery(f.toEmulator, told.hooks);
    const { row, isNew } = await worker.accept({
      idempotencyKey: `accept-${Date.now()}`,
      userId: 'U1',
      source: 'slash',
      reply: { kind: 'modal', viewId: 'V-leased' },
      contact: someone('Leased Early'),
    });
    expect(isNew).toBe(true);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, leaseUntil: expect.any(Date) });
    expect(await claimRequests(f.db, { leaseMs: 60_000, limit: 10, ids: [row.id] })).toEqual([]);
    await worker.deliverNow([row.id]);
    expect(await findRequest(f.db, row.id)).toMatchObject({ status: 'created', attempts: 1 });
    expect(await eventKinds(row.id)).toEqual(['recorded', 'attempt', 'settled']);
    expect(told.settled).toHaveLength(1);
  });

  it('logs numbers masked, never in full', async () => {
    const row = await record(f.db, someone('Log Check', '+91 98111 22334'));
    await delivery(f.toEmulator, recorder().hooks).deliverNow([row.id]);
    const logged = f.logLines.join('');
    expect(logged).toContain('+91******2334');
    expect(logged).not.toContain('+919811122334');
  });

  it('isolates a duplicate and a refusal in a batch and creates all the others', async () => {
    await settleLeftovers();
    const taken = freshIndianNumber();
    expect((await f.toEmulator.create([someone('First Owner', taken)])).kind).toBe('created');

    const fine = [someone('Asha Rao'), someone('Vikram Singh'), someone('Neha Gupta'), someone('Rohan Das')];
    const rows = [
      await record(f.db, fine[0]!),
      await record(f.db, fine[1]!),
      await record(f.db, someone('Second Owner', taken)),
      await record(f.db, fine[2]!),
      await record(f.db, { ...someone('Blank Surname'), lastName: '   ' }),
      await record(f.db, fine[3]!),
    ];
    const told = recorder();
    const worker = delivery(f.toEmulator, told.hooks, { batchSize: 6, pollMs: 20 });
    await runUntil(worker, 'every request to settle', async () => (await pendingCount()) === 0);

    const after = await Promise.all(rows.map((r) => findRequest(f.db, r.id)));
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
    const row = await record(f.db, someone('Queued Once'));
    await delivery(await endpoint(reply(503, 'Service Unavailable')), told.hooks, { maxBackoffMs: 60_000 }).deliverNow([row.id]);

    const after = await findRequest(f.db, row.id);
    expect(after).toMatchObject({ status: 'pending', attempts: 1, leaseUntil: null, contactId: null });
    expect(after!.nextAttemptAt.getTime()).toBeGreaterThan(row.createdAt.getTime() + 400);
    expect(told.queued).toHaveLength(1);
    expect(told.queued[0]!.id).toBe(row.id);
    expect((await f.events(row.id)).at(-1)!.detail).toMatchObject({
      reason: { kind: 'unavailable', status: 503, messages: ['Service Unavailable'] },
    });
    expect(told.settled).toEqual([]);
    expect(await eventKinds(row.id)).toEqual(['recorded', 'attempt', 'retry']);
  });

  it('tells the user a request is queued once, however many retries it takes', async () => {
    await settleLeftovers();
    const told = recorder();
    const down = await endpoint(reply(503, ''));
    const row = await record(f.db, someone('Many Retries'));
    const worker = delivery(down, told.hooks, { pollMs: 20 });
    await worker.deliverNow([row.id]);
    await runUntil(worker, 'a third attempt', async () => (await findRequest(f.db, row.id))!.attempts >= 3);
    expect(told.queued.map((queued) => queued.id)).toEqual([row.id]);
    expect(told.settled).toEqual([]);
  });

  it('waits at least as long as Retry-After asks', async () => {
    const row = await record(f.db, someone('Rate Limited'));
    await delivery(await endpoint(reply(429, '', { 'retry-after': '120' })), recorder().hooks).deliverNow([row.id]);
    const after = await findRequest(f.db, row.id);
    expect(after!.status).toBe('pending');
    expect(after!.nextAttemptAt.getTime() - row.createdAt.getTime()).toBeGreaterThanOrEqual(119_000);
  });

  it('creates a queued request once the endpoint is back, and tells the user the outcome', async () => {
    await settleLeftovers();
    const told = recorder();
    const row = await record(f.db, someone('Comes Back'));
    await delivery(await endpoint(reply(503, '')), told.hooks).deliverNow([row.id]);
    expect(told.queued).toHaveLength(1);

    const worker = delivery(f.toEmulator, told.hooks, { pollMs: 20 });
    await runUntil(worker, 'the retry to settle', async () => (await findRequest(f.db, row.id))!.status !== 'pending');
    const after = await findRequest(f.db, row.id);
    expect(after).toMatchObject({ status: 'created', attempts: 2, contactId: expect.stringMatching(/^c-/) });
    expect(told.settled).toEqual([after]);
    expect(told.queued).toHaveLength(1);
    expect(await eventKinds(row.id)).toEqual(['recorded', 'attempt', 'retry', 'attempt', 'settled']);
  });

  // A refused connection never reached the endpoint: a number found taken on the retry is someone else's contact.
  it('fails a request the endpoint has not answered by the deadline', async () => {
    const told = recorder();
    const row = await record(f.db, someone('Too Late'));
    await delivery(await endpoint(reply(503, 'Service Unavailable')), told.hooks, { deadlineMs: 0 }).deliverNow([row.id]);
    const after = await findRequest(f.db, row.id);
    expect(after).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { kind: 'unavailable', status: 503, messages: ['Service Unavailable'] },
    });
    expect(told.settled).toEqual([after]);
    expect(told.queued).toEqual([]);
  });

  it('fails a request whose endpoint does not answer at all by the deadline', async () => {
    const row = await record(f.db, someone('Never Answered'));
    const silent = await loopback(() => {});
    f.servers.push(silent);
    const contacts = koreClient({ host: silent.url, ...identity }, { defaultExtension: '+', timeoutMs: 200 });
    await delivery(contacts, recorder().hooks, { deadlineMs: 0 }).deliverNow([row.id]);
    expect(await findRequest(f.db, row.id)).toMatchObject({
      status: 'failed',
      error: { kind: 'unavailable', messages: ['No answer within 200 ms.'] },
    });
  });

  it('does not retry when the endpoint refuses the credentials', async () => {
    const told = recorder();
    const row = await record(f.db, someone('Bad Secret'));
    const wrong = koreClient(
      { host: f.emulator.url, ...identity, clientSecret: 'not-the-emulator-secret', enforceJti: false },
      { defaultExtension: '+' },
    );
    await delivery(wrong, told.hooks).deliverNow([row.id]);
    const after = await findRequest(f.db, row.id);
    expect(after).toMatchObject({ status: 'unauthorized', attempts: 1, error: { kind: 'unauthorized', status: 401 } });
    expect(told.settled).toEqual([after]);
  });
});
