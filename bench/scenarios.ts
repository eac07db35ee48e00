import { Agent } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CountryCode } from 'libphonenumber-js/max';
import { sql } from 'drizzle-orm';
import { recordRequest } from '../src/audit/requests.js';
import { normalisePhone } from '../src/contact/phone.js';
import type { Database } from '../src/database.js';
import { startBenchEndpoint, type BenchEndpoint } from './lib/endpoint.js';
import { onCleanUp, pgClient, pgCommits, pglitePlace, postgresPlace, type Place } from './lib/databases.js';
import type { BenchSlack } from './lib/fake-slack.js';
import { modalSubmission, slashCommand } from '../test/support/slack-requests.js';
import { closedLoop, postSigned, type Reply } from './lib/http.js';
import {
  PRODUCT_TOKEN,
  BARE_TOKEN,
  SIGNING_SECRET,
  machineTicks,
  startBareBolt,
  startProduct,
  type ChildServer,
  type StartPath,
} from './lib/processes.js';
import { summariseProfile } from './lib/profile.js';
import { median, summarise, type Summary } from './lib/stats.js';

export type DbKind = 'pglite' | 'postgres';

/** How the bench runs: where PostgreSQL is, and whether children are profiled (and where to). */
export interface BenchContext {
  slack: BenchSlack;
  /** How product (and bare Bolt) processes are started. */
  start: StartPath;
  pgUrl?: string;
  profileRoot?: string;
  /** Profile summaries gathered in this run (profile mode only). */
  profiles: string[];
}

/** RSS of one product process. */
export interface RssReading {
  process: string;
  idleMb: number;
  afterMb: number;
  /** `--profile` runs: the JS heap and friends after the load, from the memory probe. */
  breakdown?: Record<string, number>;
}

async function breakdown(child: ChildServer): Promise<{ breakdown?: Record<string, number> }> {
  const memory = await child.memory();
  return memory ? { breakdown: memory } : {};
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function place(ctx: BenchContext, kind: DbKind): Promise<Place> {
  if (kind === 'pglite') return pglitePlace();
  if (!ctx.pgUrl) throw new Error('PostgreSQL scenarios need BENCH_DATABASE_URL');
  return postgresPlace(ctx.pgUrl);
}

function profileDir(ctx: BenchContext, name: string): string | undefined {
  return ctx.profileRoot ? join(ctx.profileRoot, name.replace(/[^\w.-]+/g, '-')) : undefined;
}

export async function spawnProduct(ctx: BenchContext, name: string, env: Record<string, string>, start = ctx.start): Promise<ChildServer> {
  const child = await startProduct(start, name, ctx.slack.url, env, profileDir(ctx, name));
  onCleanUp(() => child.stop().then(() => undefined));
  return child;
}

/** Stops a child; in profile mode, summarises what it did after it was ready (or, for `startup`, until then). */
export async function stopChild(ctx: BenchContext, child: ChildServer, window: 'load' | 'startup' | 'none' = 'load'): Promise<void> {
  const files = await child.stop();
  if (window === 'none') return;
  for (const file of files) {
    const range = window === 'load' ? { fromMs: child.readyMs } : { toMs: child.readyMs };
    ctx.profiles.push(`### ${child.name} (${window === 'load' ? 'after ready' : 'spawn → ready'})\n\n${summariseProfile(file, range)}`);
  }
}

function slackCalls(slack: BenchSlack): number {
  let total = 0;
  for (const n of slack.counts.values()) total += n;
  return total;
}

let phoneSeq = 0;
/** A fresh valid Indian mobile number, `+9198765` + five digits. */
function nextPhone(): string {
  phoneSeq += 1;
  if (phoneSeq > 99_999) throw new Error('the bench ran out of phone numbers');
  return `+9198765${String(phoneSeq).padStart(5, '0')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// 4a. normalisePhone throughput

const PHONE_INPUTS: [label: string, text: string, country: CountryCode][] = [
  ['international, spaced', '+91 98765 43210', 'US'],
  ['national with trunk 0', '098765-43210', 'IN'],
  ['US national, brackets', '(415) 555-2671', 'US'],
  ['00 prefix', '0049 30 901820', 'US'],
  ['calling code without +', '91 98765 43210', 'US'],
  ['with extension', '+44 7400 123456 ext. 42', 'US'],
  ['Arabic-Indic digits', '+٩١ ٩٨٧٦٥ ٤٣٢١٠', 'IN'],
  ['Devanagari digits', '९८७६५ ४३२१०', 'IN'],
  ['too short', '12345', 'US'],
  ['not a number', 'call me maybe', 'US'],
  ['unknown calling code', '+999 1234 5678', 'US'],
  ['invalid for country', '+1 555 0100', 'US'],
];

export interface PhoneResult {
  callsPerSecond: number;
  perInput: { label: string; microseconds: number }[];
}

export function phoneThroughput(durationMs = 2_000): PhoneResult {
  let sink = 0;
  const call = (i: number) => {
    const [, text, country] = PHONE_INPUTS[i % PHONE_INPUTS.length]!;
    if (normalisePhone(text, country).ok) sink += 1;
  };
  for (let i = 0; i < 3_000; i += 1) call(i); // warm-up
  let calls = 0;
  const start = performance.now();
  const end = start + durationMs;
  while (performance.now() < end) {
    for (let i = 0; i < 500; i += 1) call(calls + i);
    calls += 500;
  }
  const callsPerSecond = calls / ((performance.now() - start) / 1000);
  const perInput = PHONE_INPUTS.map(([label, text, country]) => {
    const n = 2_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i += 1) if (normalisePhone(text, country).ok) sink += 1;
    return { label, microseconds: ((performance.now() - t0) * 1000) / n };
  });
  if (sink < 0) process.stdout.write(''); // keep the calls observable
  return { callsPerSecond, perInput };
}

// ---------------------------------------------------------------------------------------------------------------
// 4b. Cold start: spawn → /healthz 200

export interface ColdStartResult {
  kind: DbKind;
  start: StartPath['mode'];
  timesMs: number[];
  medianMs: number;
  rss: RssReading;
}

export async function coldStart(ctx: BenchContext, kind: DbKind, runs = 5, start = ctx.start): Promise<ColdStartResult> {
  const where = await place(ctx, kind);
  // An existing, migrated database: PGlite folders are copies of a migrated template; PostgreSQL is migrated here.
  if (kind === 'postgres') await (await where.open()).close();
  const timesMs: number[] = [];
  const label = `cold start (${kind}, ${start.mode})`;
  let rss: RssReading = { process: label, idleMb: Number.NaN, afterMb: Number.NaN };
  for (let i = 0; i < runs; i += 1) {
    const child = await spawnProduct(ctx, `cold start ${kind} ${start.mode} ${i + 1}`, where.env, start);
    timesMs.push(child.readyMs);
    if (i === 0) {
      await sleep(300);
      rss = { process: label, idleMb: child.rssMb(), afterMb: Number.NaN };
    }
    await stopChild(ctx, child, i === runs - 1 ? 'startup' : 'none');
  }
  return { kind, start: start.mode, timesMs, medianMs: median(timesMs), rss };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. /addcontact ack: product vs bare Bolt, alternating rounds

export const ACK_CONCURRENCY = [1, 16, 64] as const;

export interface AckCell {
  latency: Summary;
  rps: number;
  errors: number;
}

export interface AckResult {
  rounds: number;
  roundMs: number;
  product: Record<number, AckCell>;
  bare: Record<number, AckCell>;
  viewsOpened: { product: number; bare: number; productAcks: number; bareAcks: number };
  /** Per concurrency, each round's product p50 / bare p50 (the machine's speed drifts; pairs drift together). */
  roundRatios: Record<number, number[]>;
  /** CPU time each app used per ack (ack + views.open), over all measured rounds: steadier than latency here. */
  cpuPerAckMs: { product: number; bare: number };
  rss: RssReading;
}

export async function ackLatency(ctx: BenchContext, rounds = 5, roundMs = 700): Promise<AckResult> {
  const where = await pglitePlace();
  const product = await spawnProduct(ctx, 'ack: product', where.env);
  const bare = await startBareBolt(ctx.start, ctx.slack.url, profileDir(ctx, 'ack: bare Bolt'));
  onCleanUp(() => bare.stop().then(() => undefined));
  await sleep(300);
  const idleMb = product.rssMb();

  const run = async (app: ChildServer, concurrency: number, ms: number) => {
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    try {
      return await closedLoop(concurrency, ms, () => postSigned(app.events, SIGNING_SECRET, slashCommand({}), agent));
    } finally {
      agent.destroy();
    }
  };
  for (const app of [product, bare]) await run(app, 16, 800); // warm-up: JIT, sockets, Bolt's lazy paths

  const samples = { product: new Map<number, number[]>(), bare: new Map<number, number[]>() };
  const time = { product: new Map<number, number>(), bare: new Map<number, number>() };
  const errors = { product: new Map<number, number>(), bare: new Map<number, number>() };
  const before = { product: ctx.slack.count('views.open', PRODUCT_TOKEN), bare: ctx.slack.count('views.open', BARE_TOKEN) };
  let acks = { product: 0, bare: 0 };
  const cpu = { product: 0, bare: 0 };
  const roundRatios: Record<number, number[]> = {};
  for (let round = 0; round < rounds; round += 1) {
    for (const concurrency of ACK_CONCURRENCY) {
      const p50 = { product: Number.NaN, bare: Number.NaN };
      for (const [which, app] of [
        ['product', product],
        ['bare', bare],
      ] as const) {
        const cpu0 = app.cpuMs();
        const result = await run(app, concurrency, roundMs);
        p50[which] = summarise(result.latencies).p50;
        samples[which].set(concurrency, [...(samples[which].get(concurrency) ?? []), ...result.latencies]);
        time[which].set(concurrency, (time[which].get(concurrency) ?? 0) + result.elapsedMs);
        errors[which].set(concurrency, (errors[which].get(concurrency) ?? 0) + result.errors);
        acks = { ...acks, [which]: acks[which] + result.latencies.length };
        await sleep(100); // let the last views.open calls finish before the other app's turn
        cpu[which] += app.cpuMs() - cpu0;
      }
      (roundRatios[concurrency] ??= []).push(p50.product / p50.bare);
    }
  }
  await sleep(500);
  const afterMb = product.rssMb();
  const memory = await breakdown(product);
  const cells = (which: 'product' | 'bare') =>
    Object.fromEntries(
      ACK_CONCURRENCY.map((c) => {
        const latencies = samples[which].get(c) ?? [];
        return [
          c,
          { latency: summarise(latencies), rps: latencies.length / ((time[which].get(c) ?? 1) / 1000), errors: errors[which].get(c) ?? 0 },
        ];
      }),
    ) as Record<number, AckCell>;
  const viewsOpened = {
    product: ctx.slack.count('views.open', PRODUCT_TOKEN) - before.product,
    bare: ctx.slack.count('views.open', BARE_TOKEN) - before.bare,
    productAcks: acks.product,
    bareAcks: acks.bare,
  };
  await stopChild(ctx, product);
  await stopChild(ctx, bare);
  const cpuPerAckMs = { product: cpu.product / acks.product, bare: cpu.bare / acks.bare };
  return {
    rounds,
    roundMs,
    product: cells('product'),
    bare: cells('bare'),
    viewsOpened,
    roundRatios,
    cpuPerAckMs,
    rss: { process: 'ack load (PGlite)', idleMb, afterMb, ...memory },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Submission → outcome DM

export interface DmResult {
  kind: DbKind;
  endpoint: string;
  delayMs: number;
  n: number;
  ack: Summary;
  dm: Summary;
  /** What the endpoint took per call as the proxy saw it (undefined for the built-in emulator). */
  endpointMs?: Summary;
  /** DM latency minus that call's endpoint time. */
  overhead: Summary;
  /** PostgreSQL: transactions committed in the product's database per submission (statements outside one count too). */
  commitsPerSubmission?: number;
  /** Product CPU time per submission (built-in emulator included when it is the endpoint). */
  cpuPerSubmissionMs: number;
  outcomes: Record<string, number>;
  rss: RssReading;
}

/**
 * Sends `n` valid submissions one after the other and times each until the DM carrying that contact reaches
 * the fake Slack. `delayMs` undefined: the product's built-in emulator; otherwise the emulator in this process
 * behind a proxy that holds each call that long.
 */
export async function submissionToDm(ctx: BenchContext, kind: DbKind, delayMs: number | undefined, n: number): Promise<DmResult> {
  const label = delayMs === undefined ? 'built-in emulator (instant)' : `emulator + ${delayMs} ms`;
  const where = await place(ctx, kind);
  let endpoint: BenchEndpoint | undefined;
  let emulatorDb: Database | undefined;
  if (delayMs !== undefined) {
    emulatorDb = await (await place(ctx, kind)).open();
    endpoint = await startBenchEndpoint(emulatorDb.db, delayMs);
  }
  const name = `DM: ${kind}, ${label}`;
  const product = await spawnProduct(ctx, name, { ...where.env, ...(endpoint?.env ?? {}) });
  let commitsBefore = 0;
  let measured = 0;
  await sleep(300);
  const idleMb = product.rssMb();

  const waiters = new Map<number, (at: number) => void>();
  const outcomes: Record<string, number> = {};
  ctx.slack.onMessage = (text, at) => {
    const seq = /Zq(\d+)x/.exec(text)?.[1];
    if (!seq) return;
    const title = text.split('\n')[0] ?? '';
    outcomes[title] = (outcomes[title] ?? 0) + 1;
    waiters.get(Number(seq))?.(at);
  };
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let seq = 0;
  const one = async () => {
    seq += 1;
    const id = seq;
    const phone = nextPhone();
    const dm = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no DM for submission ${id} within 15 s`)), 15_000);
      waiters.set(id, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
    const t0 = performance.now();
    const reply: Reply = await postSigned(
      product.events,
      SIGNING_SECRET,
      modalSubmission({ salutation: 'Mr', firstName: 'Ravi', lastName: `Zq${id}x`, country: 'IN', phone }, { viewId: `VDM${id}` }),
      agent,
    );
    const ackAt = performance.now();
    if (reply.status !== 200 || !reply.body.includes('"update"')) {
      throw new Error(`${name}: submission ${id} was answered ${reply.status} ${reply.body.slice(0, 300)}`);
    }
    const at = await dm;
    waiters.delete(id);
    return { ack: ackAt - t0, dm: at - t0, endpoint: endpoint?.durations.get(phone) };
  };
  try {
    for (let i = 0; i < (delayMs ? 5 : 20); i += 1) await one(); // warm-up
    for (const key of Object.keys(outcomes)) delete outcomes[key];
    if (kind === 'postgres') {
      await sleep(1_200); // backends report their statistics at most once a second
      commitsBefore = await pgCommits(where);
    }
    const cpu0 = product.cpuMs();
    const acks: number[] = [];
    const dms: number[] = [];
    const endpointTimes: number[] = [];
    const overheads: number[] = [];
    for (let i = 0; i < n; i += 1) {
      const r = await one();
      acks.push(r.ack);
      dms.push(r.dm);
      if (r.endpoint !== undefined) endpointTimes.push(r.endpoint);
      overheads.push(r.dm - (r.endpoint ?? 0));
      measured += 1;
    }
    await sleep(200);
    const cpuPerSubmissionMs = (product.cpuMs() - cpu0) / measured;
    const afterMb = product.rssMb();
    const memory = await breakdown(product);
    let commitsPerSubmission: number | undefined;
    if (kind === 'postgres') {
      await stopChild(ctx, product); // its backends flush their statistics as they exit
      await sleep(300);
      commitsPerSubmission = ((await pgCommits(where)) - commitsBefore - 1) / measured;
    }
    return {
      ...(commitsPerSubmission !== undefined ? { commitsPerSubmission } : {}),
      cpuPerSubmissionMs,
      kind,
      endpoint: label,
      delayMs: delayMs ?? 0,
      n,
      ack: summarise(acks),
      dm: summarise(dms),
      ...(endpointTimes.length ? { endpointMs: summarise(endpointTimes) } : {}),
      overhead: summarise(overheads),
      outcomes: { ...outcomes },
      rss: { process: `DM ${kind}, ${label}`, idleMb, afterMb, ...memory },
    };
  } finally {
    ctx.slack.onMessage = undefined;
    agent.destroy();
    await stopChild(ctx, product);
    await endpoint?.close();
    await emulatorDb?.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Drain: queued requests delivered from a cold start

export interface DrainResult {
  kind: DbKind;
  instances: number;
  queued: number;
  settled: number;
  /** Settled before the first instance answered /healthz (the worker starts just before). */
  settledAtReady: number;
  seconds: number;
  perSecond: number;
  complete: boolean;
  emulatorRows: number;
  /** PostgreSQL: transactions committed in the product's database per settled request. */
  commitsPerContact?: number;
  /** Web API calls the fake Slack received per settled request. */
  slackCallsPerContact: number;
  /** CPU time of the product process(es) per settled request, from the first ready to the end. */
  cpuPerContactMs: number;
  /** Share of the machine's CPUs busy during the drain (all processes: product, PostgreSQL, bench). */
  machineBusy: number;
  prepareSeconds: number;
  readyMs: number[];
  rss: RssReading[];
}

export async function drain(ctx: BenchContext, kind: DbKind, instances: number, queued = 5_000, capMs = 45_000): Promise<DrainResult> {
  const where = await place(ctx, kind);
  const prepStart = performance.now();
  const database = await where.open();
  try {
    let next = 0;
    const insertSome = async () => {
      while (next < queued) {
        const i = next;
        next += 1;
        const phone = normalisePhone(nextPhone(), 'IN');
        if (!phone.ok) throw new Error('the bench made an invalid number');
        await recordRequest(database.db, {
          idempotencyKey: `bench-drain-${kind}-${instances}-${i}`,
          teamId: 'T1',
          userId: 'U1',
          source: 'slash',
          contact: { salutation: 'Mr', firstName: 'Ravi', lastName: `Queued${i}`, phone: phone.phone },
          reply: { kind: 'modal', viewId: `VQ${i}` },
        });
      }
    };
    // PGlite takes one statement at a time anyway; PostgreSQL gets a few connections' worth.
    await Promise.all(Array.from({ length: kind === 'pglite' ? 1 : 8 }, insertSome));
  } finally {
    await database.close(); // PGlite: one process per folder, so the bench lets go before the app opens it
  }
  const prepareSeconds = (performance.now() - prepStart) / 1000;

  const emulatorDb = await (await place(ctx, kind)).open();
  const endpoint = await startBenchEndpoint(emulatorDb.db);
  let messages = 0;
  ctx.slack.onMessage = () => {
    messages += 1;
  };
  const pending = kind === 'postgres' ? await pgClient(where) : undefined;
  await sleep(kind === 'postgres' ? 1_200 : 0);
  const commitsBefore = kind === 'postgres' ? await pgCommits(where) : 0;
  const slackBefore = slackCalls(ctx.slack);
  const children: ChildServer[] = [];
  try {
    children.push(
      ...(await Promise.all(
        Array.from({ length: instances }, (_, i) =>
          spawnProduct(ctx, `drain: ${kind}, ${instances} instance(s), #${i + 1}`, { ...where.env, ...endpoint.env }),
        ),
      )),
    );
    const start = Math.min(...children.map((c) => c.readyAt));
    const settledAtReady = messages;
    const cpu0 = children.reduce((sum, c) => sum + c.cpuMs(), 0);
    const ticks0 = machineTicks();
    let settled = 0;
    let polls = 0;
    let complete = false;
    while (performance.now() - start < capMs) {
      if (pending) {
        const { rows } = await pending.query<{ n: string }>("select count(*) as n from contact_requests where status = 'pending'");
        polls += 1;
        settled = queued - Number(rows[0]?.n ?? queued);
      } else {
        settled = messages; // one DM per settled request, sent right after it is settled
      }
      if (settled >= queued) {
        complete = true;
        break;
      }
      await sleep(pending ? 25 : 10);
    }
    const seconds = (performance.now() - start) / 1000;
    const cpuPerContactMs = (children.reduce((sum, c) => sum + c.cpuMs(), 0) - cpu0) / settled;
    const ticks1 = machineTicks();
    const machineBusy = (ticks1.busy - ticks0.busy) / (ticks1.total - ticks0.total);
    await sleep(300);
    const rss: RssReading[] = [];
    for (const c of children) rss.push({ process: c.name, idleMb: Number.NaN, afterMb: c.rssMb(), ...(await breakdown(c)) });
    const slackCallsPerContact = (slackCalls(ctx.slack) - slackBefore) / settled;
    const readyMs = children.map((c) => c.readyMs);
    let commitsPerContact: number | undefined;
    if (pending) {
      await pending.end();
      for (const child of children.splice(0)) await stopChild(ctx, child);
      await sleep(300);
      commitsPerContact = ((await pgCommits(where)) - commitsBefore - polls - 1) / settled;
    }
    const counted = (await emulatorDb.db.execute(sql`select count(*)::int as n from emulator_contacts`)) as unknown as {
      rows: { n: number }[];
    };
    return {
      kind,
      instances,
      queued,
      settled,
      settledAtReady,
      seconds,
      perSecond: settled / seconds,
      complete,
      emulatorRows: Number(counted.rows[0]?.n ?? Number.NaN),
      ...(commitsPerContact !== undefined ? { commitsPerContact } : {}),
      slackCallsPerContact,
      cpuPerContactMs,
      machineBusy,
      prepareSeconds,
      readyMs,
      rss,
    };
  } finally {
    ctx.slack.onMessage = undefined;
    for (const child of children) await stopChild(ctx, child);
    await pending?.end().catch(() => undefined);
    await endpoint.close();
    await emulatorDb.close();
  }
}
