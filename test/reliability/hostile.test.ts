import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contactRequests } from '../../db/schema.js';
import { normalisePhone } from '../../src/contact/phone.js';
import { startTestBot, SIGNING_SECRET, type TestBot } from '../support/bot.js';
import { testTargets } from '../support/databases.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { rawGet, rawPost, signedHeaders, type Answer } from './harness.js';

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
  fc.constantFrom(
    '',
    ' ',
    '+',
    '0',
    '__proto__',
    'constructor',
    '+91 98765 43210',
    '٩٨٧٦٥٤٣٢١٠',
    '<script>alert(1)</script>',
    '\u0000\u202e',
  ),
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
          fc.record({
            [block]: fc.oneof(
              odd,
              fc.record({ type: fc.constant('plain_text_input'), value: odd }),
              fc.record({ selected_option: fc.oneof(odd, fc.record({ value: odd })) }),
            ),
          }),
        ),
      ]),
    ),
    { requiredKeys: [] },
  ),
);

let viewSerial = 0;
const viewSubmission = fc
  .record({ values: stateValues, metadata: fc.oneof(odd, fc.constant(undefined)), state: fc.boolean() })
  .map(({ values, metadata, state }): Case => {
    viewSerial += 1;
    const payload = {
      type: 'view_submission',
      team: { id: 'T1', domain: 'acme' },
      user: { id: 'UFUZZ', team_id: 'T1' },
      api_app_id: 'A1',
      trigger_id: 'trigger-fuzz',
      view: {
        id: `VFUZZ${viewSerial}`,
        callback_id: 'add_contact',
        type: 'modal',
        private_metadata: metadata,
        ...(state ? { state: { values } } : { state: values }),
      },
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
      attachments: fc.oneof(
        odd,
        fc.array(
          fc.record(
            { text: odd, pretext: odd, fields: fc.oneof(odd, fc.array(fc.record({ title: odd, value: odd }), { maxLength: 3 })) },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      ),
      files: fc.oneof(
        odd,
        fc.array(
          fc.record(
            {
              name: fc.oneof(odd, fc.constant('card.vcf')),
              mimetype: fc.oneof(odd, fc.constant('text/vcard')),
              size: odd,
              url_private_download: fc.constantFrom(undefined, 'not a url', 'http://127.0.0.1:9/card.vcf'),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 2 },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);
const messageAction = fc
  .record({ message: fc.option(message, { nil: undefined }), trigger: fc.oneof(fc.string(), odd) })
  .map(({ message: m, trigger }): Case => {
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
  const payload = {
    type: 'block_suggestion',
    action_id: 'country',
    block_id: 'country',
    value,
    team: { id: 'T1' },
    user: { id: 'UFUZZ' },
    view: { id: 'V1', callback_id: 'add_contact' },
  };
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
  .record({
    text: fc.oneof(
      slashText.map((t) => [t]),
      fc.constant([] as string[]),
      fc.array(slashText, { minLength: 2, maxLength: 3 }),
    ),
    trigger: fc.oneof(fc.string(), fc.constant('')),
  })
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
  .map(
    (p): Case => ({
      group: 'payload not an object',
      body: form([['payload', typeof p === 'string' ? p : JSON.stringify(p)]]),
      about: clip(p),
    }),
  );

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

describe.each(testTargets())('hostile input to /slack/events on $name', (target) => {
  let slack: FakeSlack;
  let bot: TestBot;
  const seen: Outcome[] = [];

  let batches: Record<'listeners' | 'others' | 'broken', Promise<void>>;

  beforeAll(async () => {
    slack = await startFakeSlack();
    bot = await startTestBot(target, slack);
    batches = {
      listeners: all([
        fuzz(bot, viewSubmission, 80, seen),
        fuzz(bot, messageAction, 40, seen),
        fuzz(bot, blockSuggestion, 30, seen),
        fuzz(bot, slashCommand, 40, seen),
      ]),
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
    for (const line of tally(
      unacked.filter((u) => listenerGroups.has(u.group)),
      kindOf,
    ))
      console.info(`[hostile:${target.name}] unacknowledged (Bolt's 404 after 3 s) ${line}`);
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
      res
        .writeHead(200, { 'content-type': 'text/vcard' })
        .end('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Evil Card\r\nTEL:+91 98765 11223\r\nEND:VCARD\r\n');
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
});
