import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestBot, SIGNING_SECRET, type TestBot } from './support/bot.js';
import { testTargets, type Scratch } from './support/databases.js';
import { eventually } from './support/eventually.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { modalSubmission } from './support/slack-requests.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import {
  postSignedRaw,
  rawGet,
  settledRequest,
  startEndpoint,
  startFaultProxy,
  type Endpoint,
  type FaultProxy,
} from './reliability/harness.js';

// Real databases and a loopback endpoint on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

/** One sample's value by metric name and labels, from a scrape that parsed as the Prometheus text format. */
interface Scraped {
  contentType: string | null;
  /** Each metric family: its HELP text and TYPE. */
  families: Map<string, { help: string; type: string }>;
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
const VALUE = /^(?:NaN|[+-]Inf|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/;
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

function sampleKey(name: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return `${name}{${pairs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

/**
 * Reads the Prometheus text format (0.0.4) strictly: every line is a HELP, a TYPE or a sample; each family says its
 * HELP and TYPE once, before its samples; each sample belongs to a family declared above it (a histogram's by its
 * `_bucket`, `_sum` and `_count`); names, labels and values are well formed. Throws at the first line that is not.
 */
function parsePrometheusText(text: string): Pick<Scraped, 'families' | 'value'> {
  const families = new Map<string, { help?: string; type?: string }>();
  const samples = new Map<string, number>();
  const familyOf = (name: string) =>
    [...families.entries()].find(([family, { type }]) =>
      (SUFFIXES[type ?? ''] ?? ['']).some((suffix) => `${family}${suffix}` === name),
    )?.[0];
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, 'HELP' | 'TYPE', string, string];
      if (!NAME.test(name)) throw new Error(`bad metric name: ${line}`);
      const family = families.get(name) ?? {};
      const field = kind === 'HELP' ? 'help' : 'type';
      if (family[field] !== undefined) throw new Error(`second ${kind} for ${name}`);
      if (kind === 'TYPE' && !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`bad TYPE: ${line}`);
      family[field] = rest;
      families.set(name, family);
      continue;
    }
    if (line.startsWith('#')) throw new Error(`unexpected comment: ${line}`);
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not a sample: ${line}`);
    const [, name, labelText = '', value] = sample as unknown as [string, string, string | undefined, string];
    if (!VALUE.test(value)) throw new Error(`bad value: ${line}`);
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    let read = 0;
    for (let m = LABEL.exec(labelText); m; m = LABEL.exec(labelText)) {
      labels[m[1]!] = JSON.parse(`"${m[2]!}"`) as string;
      read = LABEL.lastIndex;
    }
    if (read !== labelText.length) throw new Error(`bad labels: ${line}`);
    const family = familyOf(name);
    if (!family || !families.get(family)!.type) throw new Error(`sample before its TYPE: ${line}`);
    samples.set(sampleKey(name, labels), Number(value));
  }
  for (const [name, family] of families) if (!family.help || !family.type) throw new Error(`${name} lacks HELP or TYPE`);
  return {
    families: families as Map<string, { help: string; type: string }>,
    value: (name, labels = {}) => samples.get(sampleKey(name, labels)),
  };
}

async function scrape(bot: TestBot): Promise<Scraped> {
  const res = await fetch(`${bot.url}/metrics`);
  expect(res.status).toBe(200);
  return { contentType: res.headers.get('content-type'), ...parsePrometheusText(await res.text()) };
}

/** The metrics `/metrics` shows from the first scrape, with their types. */
const FAMILIES = {
  contact_bot_requests_accepted_total: 'counter',
  contact_bot_requests_settled_total: 'counter',
  contact_bot_contacts_calls_total: 'counter',
  contact_bot_contacts_call_duration_seconds: 'histogram',
  contact_bot_dms_sent_total: 'counter',
  contact_bot_dms_failed_total: 'counter',
  contact_bot_database_up: 'gauge',
  contact_bot_waiting_requests: 'gauge',
  contact_bot_oldest_wait_seconds: 'gauge',
  contact_bot_budget_calls_last_minute: 'gauge',
};

function submission(user: string, phone: string, opts: { viewId: string; source?: string }) {
  return modalSubmission(
    { salutation: 'Ms', firstName: 'Metric', lastName: user, country: 'IN', phone },
    { userId: user, viewId: opts.viewId, source: opts.source },
  );
}

const accepted = (s: Scraped, source: string) => s.value('contact_bot_requests_accepted_total', { source });
const settled = (s: Scraped, status: string) => s.value('contact_bot_requests_settled_total', { status });
const calls = (s: Scraped, outcome: string) => s.value('contact_bot_contacts_calls_total', { outcome });

describe.each(testTargets())('GET /metrics on $name', (target) => {
  const CREATED = { user: 'UMETRIC1', phone: '+91 98765 50001', e164: '+919876550001' };
  const QUEUED = { user: 'UMETRIC3', phone: '+91 98765 50003', e164: '+919876550003' };
  const UNTOLD = { user: 'UMETRIC4', phone: '+91 98765 50004', e164: '+919876550004' };
  const endpointState = { down: false };
  let slack: FakeSlack;
  let endpoint: Endpoint;
  let proxy: FaultProxy;
  let bot: TestBot;

  beforeAll(async () => {
    slack = await startFakeSlack();
    endpoint = await startEndpoint(target);
    proxy = await startFaultProxy(endpoint.emulator.url, () => (endpointState.down ? { kind: 'status', status: 503 } : { kind: 'pass' }));
    bot = await startTestBot(target, slack, endpoint.env(proxy.url, { KORE_TIMEOUT_SECONDS: '5', DELIVERY_LEASE_SECONDS: '15' }));
  });
  afterAll(async () => {
    await bot?.close();
    await proxy?.close();
    await endpoint?.close();
    await slack?.close();
  });

  it('answers in the Prometheus text format, every metric with its HELP and TYPE, the counters at 0 before any request', async () => {
    const s = await scrape(bot);
    expect(s.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(Object.fromEntries([...s.families].map(([name, { type }]) => [name, type]))).toEqual(FAMILIES);
    for (const { help } of s.families.values()) expect(help.length).toBeGreaterThan(10);
    expect(accepted(s, 'slash')).toBe(0);
    expect(settled(s, 'created')).toBe(0);
    expect(settled(s, 'pending')).toBeUndefined();
    for (const outcome of ['created', 'updated', 'deleted', 'duplicate', 'rejected', 'unauthorized', 'unavailable'])
      expect(calls(s, outcome)).toBe(0);
    expect(s.value('contact_bot_contacts_call_duration_seconds_count')).toBe(0);
    expect(s.value('contact_bot_dms_sent_total')).toBe(0);
    expect(s.value('contact_bot_database_up')).toBe(1);
    expect(s.value('contact_bot_waiting_requests')).toBe(0);
    expect(s.value('contact_bot_oldest_wait_seconds')).toBe(0);
    expect(s.value('contact_bot_budget_calls_last_minute')).toBe(0);
  });

  it('a created contact: accepted once though submitted twice, settled created, one created call, its DM sent', async () => {
    const form = submission(CREATED.user, CREATED.phone, { viewId: 'VMETRIC1' });
    expect((await postSignedRaw(bot.events, SIGNING_SECRET, form)).status).toBe(200);
    expect((await settledRequest(bot.database.db, CREATED.e164)).status).toBe('created');
    expect((await postSignedRaw(bot.events, SIGNING_SECRET, form)).status).toBe(200); // Slack's retry: the same request

    const s = await scrape(bot);
    expect(accepted(s, 'slash')).toBe(1);
    expect(settled(s, 'created')).toBe(1);
    expect(calls(s, 'created')).toBe(1);
    expect(s.value('contact_bot_contacts_call_duration_seconds_count')).toBe(1);
    expect(s.value('contact_bot_contacts_call_duration_seconds_sum')).toBeGreaterThan(0);
    expect(s.value('contact_bot_contacts_call_duration_seconds_bucket', { le: '+Inf' })).toBe(1);
    expect(s.value('contact_bot_dms_sent_total')).toBe(1);
    expect(s.value('contact_bot_waiting_requests')).toBe(0);
    expect(s.value('contact_bot_budget_calls_last_minute')).toBe(1);
  });

  it('the same number again from the message shortcut: accepted by source, settled duplicate, a duplicate call', async () => {
    const form = submission('UMETRIC2', CREATED.phone, { viewId: 'VMETRIC2', source: 'shortcut' });
    expect((await postSignedRaw(bot.events, SIGNING_SECRET, form)).status).toBe(200);
    await eventually(async () => ((await scrape(bot)).value('contact_bot_dms_sent_total') === 2 ? true : undefined), 20_000, 'two DMs');

    const s = await scrape(bot);
    expect(accepted(s, 'slash')).toBe(1);
    expect(accepted(s, 'shortcut')).toBe(1);
    expect(settled(s, 'created')).toBe(1);
    expect(settled(s, 'duplicate')).toBe(1);
    expect(calls(s, 'duplicate')).toBe(1);
  });

  it('during an endpoint outage: unavailable calls, one request waiting and for how long; settled once the endpoint is back', async () => {
    endpointState.down = true;
    try {
      const form = submission(QUEUED.user, QUEUED.phone, { viewId: 'VMETRIC3' });
      expect((await postSignedRaw(bot.events, SIGNING_SECRET, form)).status).toBe(200);
      // Told it is queued: the first call came to `unavailable` and the request waits.
      await slack.waitFor('chat.postMessage', (c) => c.args.channel === QUEUED.user, 20_000);

      const queued = await scrape(bot);
      expect(accepted(queued, 'slash')).toBe(2);
      expect(calls(queued, 'unavailable')).toBeGreaterThanOrEqual(1);
      expect(queued.value('contact_bot_waiting_requests')).toBe(1);
      expect(queued.value('contact_bot_oldest_wait_seconds')).toBeGreaterThan(0);
      expect(settled(queued, 'created')).toBe(1);
    } finally {
      endpointState.down = false;
    }
    expect((await settledRequest(bot.database.db, QUEUED.e164)).status).toBe('created');
    const after = await scrape(bot);
    expect(settled(after, 'created')).toBe(2);
    expect(calls(after, 'created')).toBe(2);
    expect(after.value('contact_bot_waiting_requests')).toBe(0);
    expect(after.value('contact_bot_oldest_wait_seconds')).toBe(0);
    expect(after.value('contact_bot_dms_sent_total')).toBe(4); // created, duplicate, queued, created
    const allCalls = ['created', 'duplicate', 'unavailable'].reduce((n, outcome) => n + calls(after, outcome)!, 0);
    expect(after.value('contact_bot_contacts_call_duration_seconds_count')).toBe(allCalls);
  });

  it('a DM Slack refuses is counted failed, not sent', async () => {
    slack.fault('chat.postMessage', { error: 'user_not_found' });
    try {
      const form = submission(UNTOLD.user, UNTOLD.phone, { viewId: 'VMETRIC4' });
      expect((await postSignedRaw(bot.events, SIGNING_SECRET, form)).status).toBe(200);
      const s = await eventually(
        async () => {
          const now = await scrape(bot);
          return now.value('contact_bot_dms_failed_total') === 1 ? now : undefined;
        },
        20_000,
        'a DM failed',
      );
      expect(s.value('contact_bot_dms_sent_total')).toBe(4);
      expect(settled(s, 'created')).toBe(3);
    } finally {
      slack.fault('chat.postMessage', undefined);
    }
  });
});

/**
 * PostgreSQL only: the embedded database has no network path to go silent.
 */
const postgres = testTargets().find((t) => t.name === 'postgres');

describe.runIf(postgres)('GET /metrics while the network path to PostgreSQL is silent (postgres)', () => {
  let slack: FakeSlack;
  let place: Scratch;
  let proxy: TcpProxy;
  let bot: TestBot;
  const figures: Record<string, number> = {};

  beforeAll(async () => {
    slack = await startFakeSlack();
    place = await postgres!.scratch();
    const url = new URL((place.env as { DATABASE_URL: string }).DATABASE_URL);
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(url.port || 5432) });
    url.hostname = proxy.host;
    url.port = String(proxy.port);
    bot = await startTestBot(postgres!, slack, { DATABASE_URL: url.toString() });
  });
  afterAll(async () => {
    await bot?.close();
    await proxy?.close();
    await place?.remove();
    await slack?.close();
    console.info(`[metrics, silent database] ${JSON.stringify(figures)}`);
  });

  it('every scrape still answers, with database_up 0 and no sample of the database gauges, and recovers with the path', async () => {
    expect((await scrape(bot)).value('contact_bot_database_up')).toBe(1);
    proxy.pause();
    // Prometheus keeps scraping (and may retry): several scrapes at once, each answered.
    const scrapes = await Promise.all(Array.from({ length: 5 }, () => rawGet(`${bot.url}/metrics`, 10_000)));
    figures.silentScrapeMs = Math.max(...scrapes.map((a) => a.ms));
    for (const answer of scrapes) {
      expect(answer.status).toBe(200);
      const s = parsePrometheusText(answer.body);
      expect(s.value('contact_bot_database_up')).toBe(0);
      expect(s.families.get('contact_bot_waiting_requests')?.type).toBe('gauge');
      expect(s.value('contact_bot_waiting_requests')).toBeUndefined();
      expect(s.value('contact_bot_oldest_wait_seconds')).toBeUndefined();
      expect(s.value('contact_bot_requests_accepted_total', { source: 'slash' })).toBe(0);
    }

    proxy.resume();
    const resumedAt = Date.now();
    await eventually(async () => ((await scrape(bot)).value('contact_bot_database_up') === 1 ? true : undefined), 60_000, 'database up');
    figures.upMsAfterResume = Date.now() - resumedAt;
  });
});
