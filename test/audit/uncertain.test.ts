import { describe, expect, it } from 'vitest';
import { findRequest } from '../../src/audit/requests.js';
import { koreClient } from '../../src/kore/client.js';
import { freshIndianNumber, loopback, reply } from '../kore/loopback.js';
import { testTargets } from '../support/databases.js';
import { deliveryFixture, identity, record, recorder, someone, waitFor, runUntil } from './delivery-fixture.js';

/** A call whose answer was lost, a refused connection, a worker that stalls: what each leaves the request believing. */
describe.each(testTargets())('attempts that may have arrived on $name', (target) => {
  const f = deliveryFixture(target);
  const { delivery, heldEndpoint, relay, forward, settleLeftovers, eventKinds } = f;

  it('flags a duplicate met after an attempt whose answer was lost', async () => {
    await settleLeftovers();
    const lossy = await heldEndpoint();
    const told = recorder();
    const row = await record(f.db, someone('Lost Answer'));
    const worker = delivery(lossy.contacts, told.hooks, { pollMs: 20 });
    const first = worker.deliverNow([row.id]);
    const lost = await lossy.next();
    expect((await relay(lost)).status).toBe(200);
    reply(502, 'Bad Gateway')(lost.res);
    await first;
    worker.start();
    try {
      await forward(await lossy.next());
      await waitFor('the retry to settle', async () => (await findRequest(f.db, row.id))!.status !== 'pending');
    } finally {
      await worker.stop(5_000);
    }
    expect(await findRequest(f.db, row.id)).toMatchObject({
      status: 'duplicate',
      attempts: 2,
      error: { kind: 'duplicate', afterUncertainAttempt: true },
    });
  });

  it('does not blame a later duplicate on a first attempt whose connection was refused', async () => {
    await settleLeftovers();
    const taken = freshIndianNumber();
    expect((await f.toEmulator.create([someone('Someone Else', taken)])).kind).toBe('created');
    const closed = await loopback(reply(200, []));
    await closed.close();
    const refused = koreClient({ host: closed.url, ...identity }, { defaultExtension: '+' });
    const told = recorder();
    const row = await record(f.db, someone('Refused First', taken));
    await delivery(refused, told.hooks).deliverNow([row.id]);
    expect(await findRequest(f.db, row.id)).toMatchObject({ status: 'pending', uncertain: false });
    expect(told.queued).toHaveLength(1);

    const worker = delivery(f.toEmulator, told.hooks, { pollMs: 20 });
    await runUntil(worker, 'the retry to settle', async () => (await findRequest(f.db, row.id))!.status !== 'pending');
    const after = await findRequest(f.db, row.id);
    expect(after).toMatchObject({ status: 'duplicate', attempts: 2, uncertain: false });
    expect(after!.error).not.toMatchObject({ afterUncertainAttempt: true });
  });

  it('takes over a request whose worker stalled holding its lease, and the stalled worker stays quiet', async () => {
    await settleLeftovers();
    const row = await record(f.db, someone('Orphaned Request'));
    const stalled = recorder();
    const stalledEndpoint = await heldEndpoint();
    const stalledAttempt = delivery(stalledEndpoint.contacts, stalled.hooks, { leaseMs: 50 }).deliverNow([row.id]);
    const stalledCall = await stalledEndpoint.next();

    const told = recorder();
    const worker = delivery(f.toEmulator, told.hooks, { pollMs: 20, leaseMs: 60_000 });
    await runUntil(worker, 'the request to settle', async () => (await findRequest(f.db, row.id))!.status !== 'pending');
    const created = await findRequest(f.db, row.id);
    expect(created).toMatchObject({ status: 'created', attempts: 2 });
    expect(told.settled).toEqual([created]);

    reply(503, 'Service Unavailable')(stalledCall.res);
    await stalledAttempt;
    expect(await findRequest(f.db, row.id)).toEqual(created);
    expect(stalled.queued).toEqual([]);
    expect(stalled.settled).toEqual([]);
    expect(await eventKinds(row.id)).toEqual(['recorded', 'attempt', 'attempt', 'settled']);
  });

  it('lets a stalled worker that answers late neither release nor reschedule the request another worker holds', async () => {
    await settleLeftovers();
    const row = await record(f.db, someone('Two Workers'));
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
      const leased = await findRequest(f.db, row.id);
      expect(leased!.attempts).toBe(2);

      reply(503, '')(stalledCall.res);
      await stalledAttempt;
      expect(await findRequest(f.db, row.id)).toEqual(leased);
      expect(stalled.queued).toEqual([]);

      await forward(currentCall);
      await waitFor('the request to settle', async () => (await findRequest(f.db, row.id))!.status !== 'pending');
    } finally {
      await currentWorker.stop(5_000);
    }
    expect(await findRequest(f.db, row.id)).toMatchObject({ status: 'created', attempts: 2 });
    expect(current.settled).toHaveLength(1);
    expect(stalled.settled).toEqual([]);
    expect(await eventKinds(row.id)).toEqual(['recorded', 'attempt', 'attempt', 'settled']);
  });
});
