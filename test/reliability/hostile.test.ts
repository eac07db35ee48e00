import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contactRequests } from '../../db/schema.js';
import { normalisePhone } from '../../src/contact/phone.js';
import { startTestBot, SIGNING_SECRET, type TestBot } from '../support/bot.js';
import { testTargets } from '../support/databases.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { rawGet, rawPost, signedHeaders, sleep, type Answer } from './harness.js';
import { killAllSpawned, spawnApp } from './processes.js';

// Real databases on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

/**
 * Hostile (but correctly signed) input to `/slack/events`, generated with fast-check: every request is answered below
 * 500 and the app stays healthy. A listener that throws before it acks leaves Bolt to answer 404 after its 3 s wait;
 * those payloads are collected and printed (`[hostile] unacknowledged …`) rather than failed.
 *
 * Requests go out on fresh connections, a bounded number at a time, all generated up front (one fast-check run per
 * group, so a 3 s wait is paid once per group rather than once per payload); every group starts in `beforeAll` and
 * each test awaits its own.
 */

const SEED = Number(process.env.FC_SEED ?? 20_261_125);
const PARALLEL = 48;

/** One generated request: a form body as Slack would post it. */
interface Case {
  group: string;
  body: string;
  /** A short description for the report. */
  about: string;
}

interface Outcome extends Case {
  answer: Answer;
}

const form = (fields: [string, string][]) => fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
const interactive = (payload: unknown) => form([['payload', JSON.stringify(payload)]]);
const clip = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 160 ? `${text.slice(0, 160)}…(${text.length} chars)` : text;
};

// ---------------------------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------------------------

/** A value of any JSON type, including long and odd strings. */
const odd: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 1_000, maxLength: 4_000 }),
  fc.constantFrom('', ' ', '+', '0', '__proto__', 'constructor', '+91 98765 43210', '٩٨٧٦٥٤٣٢١٠', '<script>alert(1)</script>', '\u0000\u202e'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);
const json = fc.jsonValue({ maxDepth: 3 });

const BLOCKS = ['salutation', 'first_name', 'last_name', 'country', 'phone_number', 'extension'];

/** `view.state.values` shaped like Slack's, with odd leaves; or anything at all. */
const stateValues = fc.oneof(
  json,
  fc.constant(undefined),
  fc.record(
    Object.fromEntries(
      BLOCKS.map((block) => [
        block,
        fc.oneof(
          odd,
          fc.record({ [block]: fc.oneof(odd, fc.record({ type: fc.constant('plain_text_input'), value: odd }), fc.record({ selected_option: fc.oneof(odd, fc.record({ value: odd })) })) }),
        ),
      ]),
    ),
    { requiredKeys: [] },
  ),
);

let viewSerial = 0;
const viewSubmission = fc.record({ values: stateValues, metadata: fc.oneof(odd, fc.constant(undefined)), state: fc.boolean() }).map(({ values, metadata, state }): Case => {
  viewSerial += 1;
  const payload = {
    type: 'view_submission',
    team: { id: 'T1', domain: 'acme' },
    user: { id: 'UFUZZ', team_id: 'T1' },
    api_app_id: 'A1',
    trigger_id: 'trigger-fuzz',
    view: { id: `VFUZZ${viewSerial}`, callback_id: 'add_contact', type: 'modal', private_metadata: metadata, ...(state ? { state: { values } } : { state: values }) },
  };
  return { group: 'view_submission', body: interactive(payload), about: clip(payload.view) };
});

/** A message as the shortcut might get it: odd text, blocks, attachments and files (never a download off this host). */
const message = fc.oneof(
  json,
  fc.record(
    {
      text: odd,
      blocks: fc.oneof(json, fc.array(json, { maxLength: 4 })),
      attachments: fc.oneof(odd, fc.array(fc.record({ text: odd, pretext: odd, fields: fc.oneof(odd, fc.array(fc.record({ title: odd, value: odd }), { maxLength: 3 })) }, { requiredKeys: [] }), { maxLength: 3 })),
      files: fc.oneof(
        odd,
        fc.array(
          fc.record({ name: fc.oneof(odd, fc.constant('card.vcf')), mimetype: fc.oneof(odd, fc.constant('text/vcard')), size: odd, url_private_download: fc.constantFrom(undefined, 'not a url', 'http://127.0.0.1:9/card.vcf') }, { requiredKeys: [] }),
          { maxLength: 2 },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);
const messageAction = fc.record({ message: fc.option(message, { nil: undefined }), trigger: fc.oneof(fc.string(), odd) }).map(({ message: m, trigger }): Case => {
  const payload = {
    type: 'message_action',
    callback_id: 'save_contact',
    trigger_id: trigger,
    team: { id: 'T1', domain: 'acme' },
    user: { id: 'UFUZZ', team_id: 'T1' },
    channel: { id: 'C1' },
    response_url: 'http://127.0.0.1:9/respond',
    ...(m === undefined ? {} : { message: m }),
  };
  return { group: 'message_action', body: interactive(payload), about: clip({ message: m, trigger_id: trigger }) };
});

const blockSuggestion = fc.oneof(odd, fc.constant(undefined)).map((value): Case => {
  const payload = { type: 'block_suggestion', action_id: 'country', block_id: 'country', value, team: { id: 'T1' }, user: { id: 'UFUZZ' }, view: { id: 'V1', callback_id: 'add_contact' } };
  return { group: 'block_suggestion', body: interactive(payload), about: clip({ value }) };
});

const slashText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ minLength: 5_000, maxLength: 60_000 }),
  fc.constantFrom('help', 'HELP', '?', '+91 98765 43210', 'Dr. A B +44 7400 123456 ext. 99', '\n\t', '%00', 'x'.repeat(200_000)),
);
const slashCommand = fc
  .record({ text: fc.oneof(slashText.map((t) => [t]), fc.constant([] as string[]), fc.array(slashText, { minLength: 2, maxLength: 3 })), trigger: fc.oneof(fc.string(), fc.constant('')) })
  .map(({ text, trigger }): Case => {
    const fields: [string, string][] = [
      ['token', 'legacy'],
      ['team_id', 'T1'],
      ['channel_id', 'C1'],
      ['user_id', 'UFUZZ'],
      ['command', '/addcontact'],
      ...text.map((t): [string, string] => ['text', t]),
      ['trigger_id', trigger],
      ['response_url', 'http://127.0.0.1:9/respond'],
    ];
    const about = text.length === 1 ? clip({ text: text[0] }) : text.length === 0 ? 'text missing' : `text given ${text.length} times`;
    return { group: 'slash command', body: form(fields), about };
  });

/** Anything as a form body. */
const randomForm = fc
  .dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 6 })
  .filter((fields) => fields.payload?.trim() !== 'null')
  .map((fields): Case => ({ group: 'random form', body: form(Object.entries(fields)), about: clip(fields) }));

/** The right `type`, but the parts Bolt itself reads (user, team, view) missing or of the wrong type. */
const brokenEnvelope = fc
  .record({
    type: fc.constantFrom('view_submission', 'message_action', 'block_suggestion', 'shortcut', 'block_actions'),
    user: fc.oneof(fc.constant(undefined), odd),
    team: fc.oneof(fc.constant(undefined), odd),
    view: fc.oneof(fc.constant(undefined), odd),
  })
  .map((p): Case => {
    const payload = { ...p, callback_id: p.type === 'message_action' ? 'save_contact' : undefined, action_id: 'country' };
    return { group: 'broken envelope', body: interactive(payload), about: clip(payload) };
  });

/** (A bare JSON `null` takes the whole process down — see the child-process test below — so it is left out here.) */
const payloadOfOtherTypes = fc
  .oneof(json, fc.string())
  .filter((p) => p !== null && String(p).trim() !== 'null')
  .map((p): Case => ({ group: 'payload not an object', body: form([['payload', typeof p === 'string' ? p : JSON.stringify(p)]]), about: clip(p) }));

// ---------------------------------------------------------------------------------------------------------------

async function fire(url: string, cases: Case[]): Promise<Outcome[]> {
  const out: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        out.push({ ...c, answer: await rawPost(url, c.body, signedHeaders(SIGNING_SECRET, c.body), 20_000) });
      }
    }),
  );
  return out;
}

/** `{"value":…}` → the JSON type of the value. */
function typeOfValue(about: string): string {
  try {
    const { value } = JSON.parse(about) as { value?: unknown };
    return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  } catch {
    return 'string (long)';
  }
}

const bad = (o: Outcome) => o.answer.error !== undefined || o.answer.status >= 500 || o.answer.status === 0;

/** Runs `arb` once as a batch of `count` cases through the app, asserting every answer is below 500. */
function fuzz(bot: TestBot, arb: fc.Arbitrary<Case>, count: number, seen: Outcome[]): Promise<void> {
  return fc.assert(
    fc.asyncProperty(fc.array(arb, { minLength: count, maxLength: count }), async (cases) => {
      const outcomes = await fire(bot.events, cases);
      seen.push(...outcomes);
      const failures = outcomes.filter(bad).map((o) => `${o.group} → ${o.answer.error ?? o.answer.status}: ${o.about}`);
      expect(failures).toEqual([]);
    }),
    { numRuns: 1, seed: SEED, endOnFailure: true },
  );
}

/** Waits for every batch (so none is still in flight when the test ends), then fails with the first failure. */
async function all(batches: Promise<void>[]): Promise<void> {
  const settled = await Promise.allSettled(batches);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Sends raw bytes on a TCP connection and collects what comes back until the server closes it (or `timeoutMs`). */
function rawExchange(url: string, request: string, timeoutMs = 10_000): Promise<{ answer: string; closed: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), closed: false });
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), closed: true });
    });
    socket.write(request);
  });
}

describe.each(testTargets())('hostile input to /slack/events on $name', (target) => {
  let slack: FakeSlack;
  let bot: TestBot;
  const seen: Outcome[] = [];

  let batches: Record<'listeners' | 'others' | 'broken', Promise<void>>;

  beforeAll(async () => {
    slack = await startFakeSlack();
    bot = await startTestBot(target, slack);
    batches = {
      listeners: all([fuzz(bot, viewSubmission, 80, seen), fuzz(bot, messageAction, 40, seen), fuzz(bot, blockSuggestion, 30, seen), fuzz(bot, slashCommand, 40, seen)]),
      others: all([fuzz(bot, randomForm, 20, seen), fuzz(bot, payloadOfOtherTypes, 20, seen)]),
      broken: all([fuzz(bot, brokenEnvelope, 30, seen)]),
    };
    for (const batch of Object.values(batches)) batch.catch(() => {}); // reported by the test that awaits it
  });
  afterAll(async () => {
    await Promise.allSettled(Object.values(batches ?? {}));
    await bot?.close();
    await slack?.close();
    const unacked = seen.filter((o) => o.answer.status === 404);
    const byGroup: Record<string, { sent: number; statuses: Record<string, number> }> = {};
    for (const o of seen) {
      const g = (byGroup[o.group] ??= { sent: 0, statuses: {} });
      g.sent += 1;
      const key = String(o.answer.error ?? o.answer.status);
      g.statuses[key] = (g.statuses[key] ?? 0) + 1;
    }
    console.info(`[hostile:${target.name}] ${JSON.stringify(byGroup)}`);
    const listenerGroups = new Set(['view_submission', 'message_action', 'block_suggestion', 'slash command']);
    const tally = (outcomes: Outcome[], label: (o: Outcome) => string) => {
      const counts = new Map<string, number>();
      for (const o of outcomes) counts.set(label(o), (counts.get(label(o)) ?? 0) + 1);
      return [...counts].map(([what, n]) => `${n}× ${what}`);
    };
    const kindOf = (o: Outcome) => `${o.group}: ${o.about.startsWith('{"value"') ? `value of type ${typeOfValue(o.about)}` : o.about}`;
    for (const line of tally(unacked.filter((u) => listenerGroups.has(u.group)), kindOf)) console.info(`[hostile:${target.name}] unacknowledged (Bolt's 404 after 3 s) ${line}`);
    const failures = tally(seen.filter(bad), (o) => `${o.answer.error ?? o.answer.status} for ${o.group} ${o.about.slice(0, 100)}`);
    for (const line of failures.slice(0, 5)) console.info(`[hostile:${target.name}] ${line}`);
    if (failures.length > 5) console.info(`[hostile:${target.name}] … and ${failures.length - 5} more kinds of failure`);
  });

  // The shortcut's `url_private_download` comes from the payload: the bot token must only ever go to Slack's own
  // file host (files.slack.com, or SLACK_API_URL's host in tests).
  it("sends the bot token only to Slack's own file host", async () => {
    const seenAuth: (string | undefined)[] = [];
    const elsewhere = createServer((req, res) => {
      seenAuth.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'text/vcard' }).end('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Evil Card\r\nTEL:+91 98765 11223\r\nEND:VCARD\r\n');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://localhost:${(elsewhere.address() as AddressInfo).port}/token-probe.vcf`;
      const payload = {
        type: 'message_action',
        callback_id: 'save_contact',
        trigger_id: 'trigger-elsewhere',
        team: { id: 'T1' },
        user: { id: 'UFUZZ', team_id: 'T1' },
        channel: { id: 'C1' },
        message: { text: 'card', files: [{ name: 'token-probe.vcf', mimetype: 'text/vcard', url_private_download: url }] },
      };
      const body = interactive(payload);
      expect((await rawPost(bot.events, body, signedHeaders(SIGNING_SECRET, body))).status).toBe(200);
      // The modal is filled in from the card, or says it could not be read: either way the download is over.
      await slack.waitFor('views.update', (c) => /98765 11223|token-probe/.test(JSON.stringify(c.args)), 10_000).catch(() => undefined);
      expect(seenAuth.filter((a) => a?.includes('xoxb-'))).toEqual([]);
    } finally {
      await new Promise((resolve) => elsewhere.close(resolve));
    }
  });

  it('answers fuzzed view_submission, message_action, block_suggestion and slash-command payloads below 500', async () => {
    await batches.listeners;
  });

  it('answers random form bodies and payloads that are not objects below 500', async () => {
    await batches.others;
  });

  // Bolt reads `body.user`, `body.team` and `body.view` before any listener or middleware runs
  // (App.processEvent → buildSource); such a payload is the sender's fault, not a 500.
  it('answers payloads whose user, team or view is missing or of the wrong type below 500', async () => {
    await batches.broken;
  });

  it('is still healthy afterwards, and recorded only valid contacts', async () => {
    await Promise.allSettled(Object.values(batches));
    const health = await rawGet(`${bot.url}/healthz`);
    expect(health.status).toBe(200);
    const rows = await bot.database.db.select().from(contactRequests);
    for (const row of rows) {
      expect(normalisePhone(row.phoneE164, 'US')).toMatchObject({ ok: true, phone: { e164: row.phoneE164 } });
      expect(row.firstName.trim().length).toBeGreaterThan(0);
      expect(row.firstName.length).toBeLessThanOrEqual(80);
      expect(row.lastName.length).toBeLessThanOrEqual(80);
      expect(row.userId).toBe('UFUZZ');
    }
  });

  it('refuses an oversized body with 413, and still answers on a new connection', async () => {
    const body = form([['payload', JSON.stringify({ type: 'view_submission', pad: 'x'.repeat(300 * 1024) })]]);
    const answer = await rawPost(bot.events, body, signedHeaders(SIGNING_SECRET, body));
    expect(answer.status).toBe(413);
    expect((await rawGet(`${bot.url}/healthz`)).status).toBe(200);
  });

  // Bolt's receiver throws for a URL it cannot parse and for a path it has no route for; such a request is
  // still answered, and its connection closed, so none can hold a socket (1,100 of them exhausted file descriptors).
  it.each([
    ['POST //[', 'POST //[ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', 400],
    ['GET //[', 'GET //[ HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['POST to an unknown path', 'POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}', 404],
    ['a 15 KB GET /eyJ-eyJ-… path', `GET /${'eyJ-'.repeat(3_800)} HTTP/1.1\r\nHost: x\r\n\r\n`, 404],
  ])('answers %s with a status line and closes the connection', async (_what, request, status) => {
    const { answer, closed } = await rawExchange(bot.url, request);
    expect(answer.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Not Found'}`);
    expect(closed).toBe(true);
  });

  it('answers 300 unparseable requests in a row, and /healthz after them', async () => {
    const answers = [];
    for (let i = 0; i < 6; i += 1) {
      answers.push(...(await Promise.all(Array.from({ length: 50 }, () => rawExchange(bot.url, 'POST //[ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n')))));
    }
    expect(answers.filter((a) => !a.closed || !a.answer.startsWith('HTTP/1.1 400'))).toEqual([]);
    expect((await rawGet(`${bot.url}/healthz`)).status).toBe(200);
  });

  it('refuses a stale timestamp with 401', async () => {
    const body = form([['command', '/addcontact'], ['text', 'help'], ['user_id', 'U1'], ['team_id', 'T1']]);
    const answer = await rawPost(bot.events, body, signedHeaders(SIGNING_SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60));
    expect(answer.status).toBe(401);
  });

});

/** A raw connection: what it was sent back, and whether the server closed it, as it happens. */
function rawConnection(url: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const connected = new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  return {
    socket,
    connected,
    answer: () => Buffer.concat(chunks).toString('latin1'),
    /** True once the server has closed the connection; false if it is still open after `ms`. */
    closedWithin: (ms: number) => Promise.race([closed.then(() => true), sleep(ms).then(() => false)]),
  };
}

const EVENTS_HEAD = (headers: Record<string, string>) =>
  `POST /slack/events HTTP/1.1\r\nHost: x\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;

// Short limits so the tests need not wait the product's (10 s a request, 5 s for headers, 5 s of a silent body).
describe('connections that never finish their request (HTTP mode, short limits)', () => {
  const LIMITS = { requestTimeoutMs: 1_500, headersTimeoutMs: 700, bodyIdleMs: 400, checkEveryMs: 100, maxConnections: 6 };
  /** Long enough for any limit above to have acted; Node's defaults (300 s, 60 s) and an unguarded read would not have. */
  const CUT_WITHIN_MS = 6_000;
  let slack: FakeSlack;
  let bot: TestBot;

  beforeAll(async () => {
    slack = await startFakeSlack();
    bot = await startTestBot(testTargets()[0]!, slack, {}, LIMITS);
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.close();
  });

  it.each([
    ['no signature headers', {}],
    ['a signature but no timestamp', { 'x-slack-signature': 'v0=00' }],
    ['a timestamp six minutes old', { 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000) - 6 * 60) }],
    ['a timestamp six minutes ahead', { 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000) + 6 * 60) }],
  ])('refuses a POST with %s 401 before reading its body, and closes the connection', async (_what, headers) => {
    const connection = rawConnection(bot.url);
    // A body of 262,001 bytes is announced and none of it sent: only a server that does not wait for it can answer.
    connection.socket.write(EVENTS_HEAD({ 'content-type': 'application/x-www-form-urlencoded', 'content-length': '262001', ...headers }));
    expect(await connection.closedWithin(CUT_WITHIN_MS)).toBe(true);
    expect(connection.answer().split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
  });

  it('cuts a signed body that stops arriving, and still answers /healthz', async () => {
    const connection = rawConnection(bot.url);
    connection.socket.write(EVENTS_HEAD({ ...signedHeaders(SIGNING_SECRET, 'x'.repeat(1_000)), 'content-length': '1000' }) + 'x'.repeat(100));
    expect(await connection.closedWithin(CUT_WITHIN_MS)).toBe(true);
    expect(connection.answer().split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect((await rawGet(`${bot.url}/healthz`)).status).toBe(200);
  });

  it('cuts a signed body sent a byte at a time, each in time for the idle limit, at the request timeout', async () => {
    const connection = rawConnection(bot.url);
    connection.socket.write(EVENTS_HEAD({ ...signedHeaders(SIGNING_SECRET, 'x'.repeat(1_000)), 'content-length': '1000' }));
    const drip = setInterval(() => connection.socket.write('x'), LIMITS.bodyIdleMs / 4);
    try {
      expect(await connection.closedWithin(CUT_WITHIN_MS)).toBe(true);
    } finally {
      clearInterval(drip);
    }
  });

  it('cuts a request whose headers never end', async () => {
    const connection = rawConnection(bot.url);
    connection.socket.write('POST /slack/events HTTP/1.1\r\nHost: x\r\n');
    expect(await connection.closedWithin(CUT_WITHIN_MS)).toBe(true);
  });

  it('holds at most maxConnections connections, and answers again once they are cut', async () => {
    const held = Array.from({ length: LIMITS.maxConnections }, () => rawConnection(bot.url));
    await Promise.all(held.map((c) => c.connected));
    for (const c of held) c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await sleep(100);
    const extra = rawConnection(bot.url);
    await extra.connected;
    extra.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await extra.closedWithin(CUT_WITHIN_MS)).toBe(true);
    expect(extra.answer()).toBe('');
    expect(await Promise.all(held.map((c) => c.closedWithin(CUT_WITHIN_MS)))).toEqual(held.map(() => true));
    expect((await rawGet(`${bot.url}/healthz`)).status).toBe(200);
  });
});

// Bolt's HTTPReceiver reads `body.ssl_check` outside its try/catch; a body that parses to JSON `null` (form field
// `payload=null`, or a JSON body `null`) would throw in an un-awaited async function and end the process. Run in a
// real process, so a crash would be observed rather than caught by the runner.
describe('a signed request whose payload is JSON null (child process)', () => {
  afterAll(killAllSpawned);

  it.concurrent.for([
    ['a form field payload=null', 'application/x-www-form-urlencoded', 'payload=null'],
    ['a JSON body null', 'application/json', 'null'],
  ] as const)('%s: answered, and the app is still up', async ([, type, body], { expect, onTestFinished }) => {
    const place = await testTargets()[0]!.scratch();
    const slack = await startFakeSlack();
    onTestFinished(async () => {
      await slack.close();
      await place.remove();
    });
    const app = await spawnApp({ ...place.env, SLACK_API_URL: slack.url });
    const answer = await rawPost(app.events, body, { ...signedHeaders(SIGNING_SECRET, body), 'content-type': type }, 10_000);
    await sleep(300);
    const health = await rawGet(`${app.url}/healthz`);
    const died = !app.running() ? await app.exited : undefined;
    await app.kill();
    expect({ health: health.status, died, stderr: app.stderr.join('').split('\n').find((l) => l.includes('Error')) }).toEqual({ health: 200, died: undefined, stderr: undefined });
    expect(answer.status).toBeGreaterThan(0);
    expect(answer.status).toBeLessThan(500);
  });
});
