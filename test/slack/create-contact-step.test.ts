import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contactRequests, replyTokens } from '../../db/schema.js';
import type { CountryCode } from 'libphonenumber-js/max';
import { validateContact } from '../../src/contact/validate.js';
import { BOT_TOKEN, startTestBot, SIGNING_SECRET, type TestBot } from '../support/bot.js';
import { testTargets } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack, type FakeSlack, type SlackCall } from '../support/fake-slack.js';
import { functionExecuted, postSignedEvent, type StepInputs } from '../support/slack-requests.js';
import {
  eventsOf,
  sleep,
  startEndpoint,
  startFaultProxy,
  startSlackFaults,
  type Endpoint,
  type FaultProxy,
} from '../reliability/harness.js';

// Real databases and a loopback endpoint on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 90_000 });

/** Longer than a poll of the outbox and of the delivery (1 s each): nothing more may arrive after the outcome. */
const QUIET_MS = 1_300;

const PERSON = { salutation: 'dr.', first_name: 'Priya', last_name: 'Natarajan', country: 'IN', requested_by: 'U7' };

/**
 * One execution of the step per case, each with a number of its own; the proxy's plan is keyed by those numbers. The
 * endpoint that never answers has an app of its own: its retries would share batches with the outage's.
 */
const CASES = {
  created: { executionId: 'Fx0CREATED', inputs: { ...PERSON, phone_number: '+91 98765 30001', extension: '12' } },
  duplicate: { executionId: 'Fx0DUPLICATE', inputs: { ...PERSON, last_name: 'Again', phone_number: '098765 30001' } },
  refused: { executionId: 'Fx0REFUSED', inputs: { ...PERSON, phone_number: '+91 98765 30002' } },
  unauthorized: { executionId: 'Fx0UNAUTHORIZED', inputs: { ...PERSON, phone_number: '+91 98765 30003' } },
  outage: { executionId: 'Fx0OUTAGE', inputs: { ...PERSON, phone_number: '+91 98765 30004' } },
  failed: { executionId: 'Fx0FAILED', inputs: { ...PERSON, phone_number: '+91 98765 30005' } },
  twice: { executionId: 'Fx0TWICE', inputs: { ...PERSON, phone_number: '+91 98765 30006' } },
  noRequester: { executionId: 'Fx0NOREQUESTER', inputs: { first_name: 'Asha', last_name: 'Rao', phone_number: '+91 98765 30007' } },
} satisfies Record<string, { executionId: string; inputs: StepInputs }>;

const REFUSED = '+919876530002';
const UNAUTHORIZED = '+919876530003';
const OUTAGE = '+919876530004';
/** The outage answers 503 this many times, then the endpoint answers again. */
const OUTAGE_CALLS = 2;

const tokenOf = (executionId: string) => `xwfp-${executionId}-execution-token`;

function completions(slack: FakeSlack, executionId: string): SlackCall[] {
  return slack.calls.filter((c) => c.method.startsWith('functions.complete') && c.args.function_execution_id === executionId);
}

function completion(slack: FakeSlack, executionId: string): Promise<SlackCall> {
  const match = (c: SlackCall) => c.args.function_execution_id === executionId;
  return Promise.race([slack.waitFor('functions.completeSuccess', match, 30_000), slack.waitFor('functions.completeError', match, 30_000)]);
}

describe.each(testTargets())('the Workflow Builder step create_contact on $name', (target) => {
  let slack: FakeSlack;
  let endpoint: Endpoint;
  let proxy: FaultProxy;
  let bot: TestBot;
  let down: FaultProxy;
  let deadlineBot: TestBot;
  const answers: Record<string, number[]> = {};
  const completed: Record<string, SlackCall> = {};

  async function execute(name: keyof typeof CASES): Promise<void> {
    const { executionId, inputs } = CASES[name];
    const res = await postSignedEvent(
      name === 'failed' ? deadlineBot.events : bot.events,
      SIGNING_SECRET,
      functionExecuted({ executionId, inputs, token: tokenOf(executionId) }),
    );
    (answers[name] ??= []).push(res.status);
  }

  beforeAll(async () => {
    slack = await startFakeSlack();
    endpoint = await startEndpoint(target);
    proxy = await startFaultProxy(endpoint.emulator.url, (call) => {
      if (call.numbers.includes(REFUSED)) {
        return { kind: 'status', status: 400, body: { errors: [{ msg: 'Numbers in this range are blocked', code: 'BLOCKED' }] } };
      }
      if (call.numbers.includes(UNAUTHORIZED)) return { kind: 'status', status: 401 };
      if (call.numbers.includes(OUTAGE) && proxy.callsFor(OUTAGE).length < OUTAGE_CALLS) return { kind: 'status', status: 503 };
      return { kind: 'pass' };
    });
    bot = await startTestBot(target, slack, { ...endpoint.env(proxy.url), ALLOWED_USER_IDS: 'U7' });
    down = await startFaultProxy(endpoint.emulator.url, () => ({ kind: 'status', status: 503 }));
    deadlineBot = await startTestBot(target, slack, { ...endpoint.env(down.url), DELIVERY_DEADLINE_MINUTES: '0.1' });
    await execute('created');
    completed.created = await completion(slack, CASES.created.executionId);
    await Promise.all([
      execute('duplicate'),
      execute('refused'),
      execute('unauthorized'),
      execute('outage'),
      execute('failed'),
      execute('twice'),
      execute('twice'),
      execute('noRequester'),
    ]);
    for (const name of ['duplicate', 'refused', 'unauthorized', 'outage', 'failed', 'twice', 'noRequester'] as const) {
      completed[name] = await completion(slack, CASES[name].executionId);
    }
    await sleep(QUIET_MS);
  });
  afterAll(async () => {
    await bot?.close();
    await deadlineBot?.close();
    await down?.close();
    await proxy?.close();
    await endpoint?.close();
    await slack?.close();
  });

  const rowOf = async (executionId: string) =>
    bot.database.db
      .select()
      .from(contactRequests)
      .where(eq(contactRequests.idempotencyKey, `function:${executionId}`));

  it('acknowledges every execution, and completes each exactly once', () => {
    for (const [name, statuses] of Object.entries(answers)) expect(statuses, name).toEqual(statuses.map(() => 200));
    for (const { executionId } of Object.values(CASES)) expect(completions(slack, executionId), executionId).toHaveLength(1);
  });

  it('created: completes with the contact ID, the status, the number in E.164 and the message, with the execution’s token', async () => {
    const call = completed.created!;
    expect(call.method).toBe('functions.completeSuccess');
    expect(call.token).toBe(tokenOf(CASES.created.executionId));
    const [contact] = await endpoint.contacts('+919876530001');
    expect(call.args.outputs).toEqual({
      contact_id: contact!.id,
      status: 'created',
      phone_number: '+919876530001',
      message: `Contact created\nDr Priya Natarajan · +91 98765 30001 ext. 12\nContact ID: ${contact!.id}`,
    });
  });

  it('records the request from the workflow: source, the requester as its user, and the execution as its reply', async () => {
    const [row] = await rowOf(CASES.created.executionId);
    expect(row).toMatchObject({
      source: 'workflow',
      userId: 'U7',
      teamId: 'T1',
      status: 'created',
      salutation: 'Dr',
      extension: '12',
      reply: { kind: 'function', executionId: CASES.created.executionId },
    });
    const kinds = (await eventsOf(bot.database.db, row!.id)).map((e) => e.kind);
    expect(kinds).toEqual(['recorded', 'attempt', 'settled', 'notified']);
  });

  it('duplicate: completes with status duplicate and the ID of the contact this app created for the number', async () => {
    const call = completed.duplicate!;
    expect(call.method).toBe('functions.completeSuccess');
    const [contact] = await endpoint.contacts('+919876530001');
    expect(call.args.outputs).toMatchObject({ contact_id: contact!.id, status: 'duplicate', phone_number: '+919876530001' });
    expect(String((call.args.outputs as { message: string }).message)).toMatch(
      new RegExp(
        `^That number is already a contact\\n\\+91 98765 30001 already belongs to a contact, so Dr Priya Again was not created\\.\\nIt is contact ${contact!.id}, created through this app by <@U7> on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\.$`,
      ),
    );
  });

  it('endpoint refusal: fails the step with the endpoint’s own reason', () => {
    expect(completed.refused!.method).toBe('functions.completeError');
    expect(completed.refused!.args.error).toBe(
      'The contacts endpoint refused this contact\nDr Priya Natarajan · +91 98765 30002\n• Numbers in this range are blocked',
    );
  });

  it('misconfigured credentials: fails the step saying so, after one call', () => {
    expect(completed.unauthorized!.method).toBe('functions.completeError');
    expect(completed.unauthorized!.args.error).toMatch(
      /^The bot is misconfigured\nThe contacts endpoint did not accept the bot's credentials/,
    );
    expect(proxy.callsFor(UNAUTHORIZED)).toHaveLength(1);
  });

  it('an endpoint that never answers: fails the step once the deadline passes', () => {
    expect(completed.failed!.method).toBe('functions.completeError');
    expect(completed.failed!.args.error).toMatch(
      /^The contact could not be created\nThe contacts endpoint did not answer after \d+ attempts/,
    );
  });

  it('an outage, then recovery: completed once, after the endpoint answered again, and never told it was queued', async () => {
    const calls = proxy.callsFor(OUTAGE);
    expect(calls.map((c) => c.upstreamStatus ?? c.fault)).toEqual(['status', 'status', 200]);
    const call = completed.outage!;
    expect(call.method).toBe('functions.completeSuccess');
    expect(call.args.outputs).toMatchObject({ status: 'created', phone_number: OUTAGE });
    expect(call.at).toBeGreaterThanOrEqual(calls[2]!.answeredAt!);
    const [row] = await rowOf(CASES.outage.executionId);
    const notified = (await eventsOf(bot.database.db, row!.id)).filter((e) => e.kind === 'notified').map((e) => e.detail);
    expect(notified).toEqual([
      { what: 'queued', execution: CASES.outage.executionId, skipped: 'a step is told only its outcome' },
      { what: 'created', execution: CASES.outage.executionId, completed: 'success' },
    ]);
  });

  it('the same event delivered twice: one request, one contact, one completion', async () => {
    expect(answers.twice).toEqual([200, 200]);
    expect(await rowOf(CASES.twice.executionId)).toHaveLength(1);
    expect(await endpoint.contacts('+919876530006')).toHaveLength(1);
    expect(completions(slack, CASES.twice.executionId).map((c) => c.method)).toEqual(['functions.completeSuccess']);
  });

  it('keeps each execution’s token only until its step is completed, and never logs it', async () => {
    await eventually(
      async () => ((await bot.database.db.select().from(replyTokens)).length === 0 ? true : undefined),
      5_000,
      'tokens forgotten',
    );
    const logged = JSON.stringify(bot.logs);
    for (const { executionId } of Object.values(CASES)) expect(logged).not.toContain(tokenOf(executionId));
  });

  it('sends no direct message for a workflow’s request', () => {
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage')).toEqual([]);
  });

  it('completes with the bot token when Slack no longer takes the execution’s own', async () => {
    const faults = await startSlackFaults(slack, (method, args) =>
      method === 'functions.completeSuccess' && String(args.token).startsWith('xwfp-')
        ? { status: 200, body: { ok: false, error: 'token_expired' } }
        : undefined,
    );
    const expiring = await startTestBot(target, slack, { ...endpoint.env(proxy.url), SLACK_API_URL: faults.url });
    try {
      const executionId = 'Fx0EXPIRED';
      const inputs = { ...PERSON, phone_number: '+91 98765 30008' };
      await postSignedEvent(expiring.events, SIGNING_SECRET, functionExecuted({ executionId, inputs, token: tokenOf(executionId) }));
      const done = await completion(slack, executionId);
      expect(faults.faulted.map((f) => f.method)).toEqual(['functions.completeSuccess']);
      expect(done.method).toBe('functions.completeSuccess');
      expect(done.token).toBe(BOT_TOKEN);
      const [row] = await expiring.database.db
        .select()
        .from(contactRequests)
        .where(eq(contactRequests.idempotencyKey, `function:${executionId}`));
      const notified = await eventually(async () => {
        const told = (await eventsOf(expiring.database.db, row!.id)).filter((e) => e.kind === 'notified');
        return told.length > 0 ? told : undefined;
      });
      expect(notified.map((e) => e.detail)).toEqual([
        { what: 'created', execution: executionId, completed: 'success', withBotToken: true },
      ]);
    } finally {
      await expiring.close();
      await faults.close();
    }
  });

  it('with ALLOWED_USER_IDS set, fails a step that names no allowed requester, and records nothing', async () => {
    expect(completed.noRequester!.method).toBe('functions.completeError');
    expect(completed.noRequester!.args.error).toBe(
      'The contact was not created. Check these inputs of the step:\n• requested_by: This app creates contacts only for the people on its list (ALLOWED_USER_IDS): set requested_by to one of them.',
    );
    expect(await rowOf(CASES.noRequester.executionId)).toEqual([]);
  });

  it.each<[string, StepInputs, string[]]>([
    [
      'blank names and letters for a number',
      { first_name: ' ', last_name: '', phone_number: 'call me' },
      ['first_name', 'last_name', 'phone_number'],
    ],
    [
      'a number that does not fit the country',
      { first_name: 'A', last_name: 'B', phone_number: '020 7946 0958', country: 'US' },
      ['phone_number'],
    ],
    [
      'an extension that is not digits',
      { first_name: 'A', last_name: 'B', phone_number: '+91 98765 30009', extension: '12a' },
      ['extension'],
    ],
    ['an unknown salutation', { salutation: 'Sir', first_name: 'A', last_name: 'B', phone_number: '+91 98765 30009' }, ['salutation']],
  ])(
    'invalid input (%s): fails the step at once naming each input with the form’s message, and calls nothing',
    async (_what, inputs, named) => {
      const executionId = `Fx0INVALID${named.join('').toUpperCase().replace(/_/g, '')}`;
      const before = proxy.calls.length;
      const res = await postSignedEvent(
        bot.events,
        SIGNING_SECRET,
        functionExecuted({ executionId, inputs: { ...inputs, requested_by: 'U7' } }),
      );
      expect(res.status).toBe(200);
      const call = await completion(slack, executionId);
      expect(call.method).toBe('functions.completeError');
      expect(call.token).toBe(tokenOf(executionId));
      const error = String(call.args.error);
      const checked = validateContact(
        {
          salutation: inputs.salutation,
          firstName: inputs.first_name,
          lastName: inputs.last_name,
          phone: inputs.phone_number,
          extension: inputs.extension,
          country: (inputs.country ?? 'IN') as CountryCode,
        },
        'IN',
      );
      expect(checked.ok).toBe(false);
      const formMessages = checked.ok ? [] : Object.values(checked.errors);
      expect(
        error
          .split('\n')
          .slice(1)
          .map((line) => line.replace(/^• (\w+): .*$/, '$1')),
      ).toEqual(named);
      for (const message of formMessages) expect(error).toContain(message);
      expect(await rowOf(executionId)).toEqual([]);
      expect(proxy.calls.length).toBe(before);
    },
  );

  it('names a country input it does not know, and the step’s own way to another country', async () => {
    const unknown = 'Fx0UNKNOWNCOUNTRY';
    await postSignedEvent(
      bot.events,
      SIGNING_SECRET,
      functionExecuted({ executionId: unknown, inputs: { ...PERSON, country: 'Narnia', phone_number: '98765 30010' } }),
    );
    expect((await completion(slack, unknown)).args.error).toBe(
      'The contact was not created. Check these inputs of the step:\n• country: Use a two-letter ISO country code, e.g. IN or GB.',
    );
    const elsewhere = 'Fx0ELSEWHERE';
    await postSignedEvent(
      bot.events,
      SIGNING_SECRET,
      functionExecuted({ executionId: elsewhere, inputs: { ...PERSON, country: 'US', phone_number: '020 7946 0958' } }),
    );
    expect((await completion(slack, elsewhere)).args.error).toContain(
      "If it's in another country, set the step's country input (e.g. GB) or give the number with its code, e.g. +44.",
    );
  });
});
