import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestBot, SIGNING_SECRET, type TestBot } from '../support/bot.js';
import { testTargets } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack, type FakeSlack, type SlackCall } from '../support/fake-slack.js';
import { buttonClick, modalSubmission, postSigned } from '../support/slack-requests.js';
import {
  dmsTo,
  dmText,
  eventsOf,
  requestsFor,
  settledRequest,
  sleep,
  startEndpoint,
  startFaultProxy,
  type Endpoint,
  type Fault,
  type FaultProxy,
} from './harness.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

/** Longer than a poll (1 s): nothing more may arrive after the outcome. */
const QUIET_MS = 1_300;

const titles = (dms: SlackCall[]) => dms.map((c) => dmText(c).split('\n')[0]);

/**
 * Edits and retries between the app and a contacts endpoint that stops answering: a change waits in the audit trail
 * like a create, and is told once.
 */
describe.each(testTargets())('edit and retry through endpoint outages on $name', (target) => {
  let slack: FakeSlack;
  let endpoint: Endpoint;
  let proxy: FaultProxy;
  let bot: TestBot;
  /** What the proxy does with the next calls; once they are used, every call answers 503 while `down`. */
  const faults: Fault[] = [];
  let down = false;

  beforeAll(async () => {
    slack = await startFakeSlack();
    endpoint = await startEndpoint(target);
    proxy = await startFaultProxy(
      endpoint.emulator.url,
      () => faults.shift() ?? (down ? { kind: 'status', status: 503 } : { kind: 'pass' }),
    );
    bot = await startTestBot(target, slack, {
      ...endpoint.env(proxy.url),
      KORE_TIMEOUT_SECONDS: '5',
      DELIVERY_LEASE_SECONDS: '15',
      // A request the endpoint does not take within 6 s fails, so a retry can be tried.
      DELIVERY_DEADLINE_MINUTES: '0.1',
    });
  });
  afterAll(async () => {
    await bot?.close();
    await proxy?.close();
    await endpoint?.close();
    await slack?.close();
  });

  const submit = (...args: Parameters<typeof modalSubmission>) => postSigned(bot.events, SIGNING_SECRET, modalSubmission(...args));

  it('queues an edit while the endpoint is down, sends it as a PUT of one contact when it answers, and tells the user once', async () => {
    await submit({ salutation: 'Ms', firstName: 'Asha', lastName: 'Rao', country: 'IN', phone: '+91 98765 71001' }, { userId: 'UEDIT' });
    const created = await settledRequest(bot.database.db, '+919876571001');
    faults.push({ kind: 'status', status: 503 }, { kind: 'reset' });

    const res = await submit(
      { salutation: 'Dr', firstName: 'Asha', lastName: 'Rao', country: 'IN', phone: '98765 71002' },
      { userId: 'UEDIT', editOf: String(created.id), viewId: 'VEDITQ' },
    );
    expect(res.status).toBe(200);
    const update = await settledRequest(bot.database.db, '+919876571002');
    await sleep(QUIET_MS);

    expect(update).toMatchObject({ operation: 'update', status: 'updated', targetContactId: created.contactId, attempts: 3 });
    const calls = proxy.calls.filter((c) => c.method !== 'POST');
    expect(calls.map((c) => [c.method, c.path, c.fault])).toEqual([
      ['PUT', `/${created.contactId}`, 'status'],
      ['PUT', `/${created.contactId}`, 'reset'],
      ['PUT', `/${created.contactId}`, 'pass'],
    ]);
    expect(calls[2]!.body).toEqual({
      firstName: 'Asha',
      lastName: 'Rao',
      salutation: 'Dr',
      cellPhone: { phoneNumber: '9876571002', countryCode: '+91', extension: '+' },
    });
    expect(await endpoint.contacts('+919876571002')).toMatchObject([{ id: created.contactId, salutation: 'Dr', status: 'ACTIVE' }]);
    expect(await endpoint.contacts('+919876571001')).toEqual([]);
    expect(titles(dmsTo(slack, 'UEDIT'))).toEqual(['Contact created', 'Your change is queued', 'Contact updated']);
    expect(dmText(dmsTo(slack, 'UEDIT')[2]!)).toContain(created.contactId!);
    const kinds = (await eventsOf(bot.database.db, update.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'notified')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'attempt')).toHaveLength(3);
  });

  it('tries a failed request again on Try again: one new request, counted and linked in the trail, and created', async () => {
    down = true;
    await submit({ firstName: 'Ravi', lastName: 'Kumar', country: 'IN', phone: '+91 98765 71003' }, { userId: 'URETRY' });
    const failed = await settledRequest(bot.database.db, '+919876571003', 30_000);
    expect(failed.status).toBe('failed');
    const failedDm = dmsTo(slack, 'URETRY').at(-1)!;
    expect(titles([failedDm])).toEqual(['The contact could not be created']);
    const retry = (failedDm.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find(
      (b) => b.type === 'actions',
    )?.elements;
    expect(retry?.map((b) => [b.action_id, b.value])).toEqual([['retry_request', String(failed.id)]]);
    const before = dmsTo(slack, 'URETRY').length;

    down = false;
    const click = () =>
      postSigned(bot.events, SIGNING_SECRET, buttonClick({ actionId: 'retry_request', value: String(failed.id), userId: 'URETRY' }));
    const answers = await Promise.all([click(), click()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const again = await eventually(async () => {
      const rows = await requestsFor(bot.database.db, '+919876571003');
      return rows.length === 2 && rows[1]!.status !== 'pending' ? rows[1] : undefined;
    });
    await sleep(QUIET_MS);

    expect(again).toMatchObject({ status: 'created', source: 'button', userId: 'URETRY', attempts: 1, operation: 'create' });
    expect(await requestsFor(bot.database.db, '+919876571003')).toHaveLength(2);
    expect((await endpoint.contacts('+919876571003')).map((c) => c.id)).toEqual([again.contactId]);
    expect((await eventsOf(bot.database.db, failed.id)).at(-1)).toMatchObject({ kind: 'retried', detail: { by: 'URETRY', as: again.id } });
    expect((await eventsOf(bot.database.db, again.id))[0]).toMatchObject({ kind: 'recorded', detail: { retryOf: failed.id } });
    expect(titles(dmsTo(slack, 'URETRY').slice(before))).toEqual(['Contact created']);
  });
});
