import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { Place } from './lib/databases.js';
import { startBenchEndpoint, UNLIMITED_CALLS, type EndpointCall } from './lib/endpoint.js';
import type { ChildServer } from './lib/processes.js';
import { num } from './lib/stats.js';
import { type BenchContext, type DbKind, place, recordBacklog, sleep, spawnProduct, stopChild } from './scenarios.js';

/** The vendor's limit, which the product's budget and the bench's emulator both keep here. */
export const CALLS_PER_MINUTE = 60;
export const BATCH_SIZE = 50;
/** 95 % of what the limit allows: `CALLS_PER_MINUTE` calls of `BATCH_SIZE` contacts a minute. */
export const RATE_GOAL = 0.95 * CALLS_PER_MINUTE * BATCH_SIZE;
export const RECOVERY_GOAL_MS = 2_000;

const MINUTE_MS = 60_000;

// ---------------------------------------------------------------------------------------------------------------
// A backlog delivered within the budget, against an endpoint that enforces the same limit

export interface BudgetResult {
  kind: DbKind;
  instances: number;
  queued: number;
  /** Contacts the endpoint answered as created. */
  created: number;
  complete: boolean;
  calls: number;
  /** Answers 429 (the emulator's rate-limit answer), counted at the endpoint. */
  rateLimited: number;
  /** Other answers that were not 2xx. */
  otherRefusals: number;
  /** The most calls the endpoint received in any 60 s. */
  mostCallsInAMinute: number;
  /** Contacts per minute, sustained: see `sustainedRate`. */
  perMinute: number;
  /** The slowest of the runs `sustainedRate` averages over. */
  worstPerMinute: number;
  /** Mean time from a call to the call `CALLS_PER_MINUTE` later, which reuses its place in the budget (s). */
  reuseSeconds: number;
  /** From the first call to the `CALLS_PER_MINUTE`-th (s): how long the first minute's calls took to make. */
  firstMinuteSeconds: number;
  /** From the first call until the endpoint had created the whole backlog (s). */
  allCreatedSeconds: number;
  readyMs: number[];
}

/**
 * The rate a budget of `limit` calls a minute sustains, in contacts a minute, from the calls as the endpoint saw them
 * (ordered by arrival): every run of `limit` consecutive calls is one budget's worth, and the call after the run is the
 * first that run's oldest call let through again. The rate is the contacts the runs carried over the time they took
 * (first call of a run → the call after it), over all runs; the worst is the slowest run's. A backlog's first minute
 * goes out at once and its last calls may not fill a minute: measuring from a call to its place's reuse counts neither
 * as a minute of its own.
 */
export function sustainedRate(calls: readonly EndpointCall[], limit: number): { perMinute: number; worst: number; reuseMs: number } {
  const byArrival = [...calls].sort((a, b) => a.at - b.at);
  let contacts = 0;
  let spanMs = 0;
  let worst = Number.POSITIVE_INFINITY;
  let runs = 0;
  for (let k = 0; k + limit < byArrival.length; k += 1) {
    const carried = byArrival.slice(k, k + limit).reduce((sum, call) => sum + call.created, 0);
    const span = byArrival[k + limit]!.at - byArrival[k]!.at;
    contacts += carried;
    spanMs += span;
    worst = Math.min(worst, carried / (span / MINUTE_MS));
    runs += 1;
  }
  if (runs === 0) return { perMinute: Number.NaN, worst: Number.NaN, reuseMs: Number.NaN };
  return { perMinute: contacts / (spanMs / MINUTE_MS), worst, reuseMs: spanMs / runs };
}

/** The most calls that arrived within any `windowMs`. */
export function mostCallsWithin(calls: readonly Pick<EndpointCall, 'at'>[], windowMs: number): number {
  const times = calls.map((c) => c.at).sort((a, b) => a - b);
  let most = 0;
  let from = 0;
  for (let to = 0; to < times.length; to += 1) {
    while (times[to]! - times[from]! >= windowMs) from += 1;
    most = Math.max(most, to - from + 1);
  }
  return most;
}

/**
 * `queued` requests recorded before `instances` products start on one database with `KORE_RATE_LIMIT_PER_MIN=60` and
 * `KORE_BATCH_SIZE=50`, against the bench's emulator enforcing 60 calls per rolling minute behind a proxy that logs
 * every call and its answer. Runs until the endpoint has created them all (or `capMs`).
 */
export async function budgetDrain(
  ctx: BenchContext,
  kind: DbKind,
  instances: number,
  queued = 5_000,
  capMs = 240_000,
): Promise<BudgetResult> {
  const where = await place(ctx, kind);
  await recordBacklog(where, queued, `bench-budget-${kind}-${instances}`);
  const emulatorDb = await (await place(ctx, kind)).open();
  const endpoint = await startBenchEndpoint(emulatorDb.db, { callsPerMinute: CALLS_PER_MINUTE, delayMs: 0 });
  const children: ChildServer[] = [];
  try {
    children.push(
      ...(await Promise.all(
        Array.from({ length: instances }, (_, i) =>
          spawnProduct(ctx, `budget: ${kind}, ${instances} instance(s), #${i + 1}`, {
            ...where.env,
            ...endpoint.env,
            KORE_RATE_LIMIT_PER_MIN: String(CALLS_PER_MINUTE),
            KORE_BATCH_SIZE: String(BATCH_SIZE),
          }),
        ),
      )),
    );
    const start = performance.now();
    while (endpoint.created() < queued && performance.now() - start < capMs) await sleep(50);
    await sleep(500); // a call still on its way would be counted too
    const calls = [...endpoint.calls];
    const byArrival = [...calls].sort((a, b) => a.at - b.at);
    const first = byArrival[0]?.at ?? Number.NaN;
    let total = 0;
    const lastCreated = calls.find((call) => {
      total += call.created;
      return total >= queued;
    });
    const rate = sustainedRate(calls, CALLS_PER_MINUTE);
    return {
      kind,
      instances,
      queued,
      created: endpoint.created(),
      complete: endpoint.created() >= queued,
      calls: calls.length,
      rateLimited: calls.filter((c) => c.status === 429).length,
      otherRefusals: calls.filter((c) => c.status !== 429 && (c.status < 200 || c.status >= 300)).length,
      mostCallsInAMinute: mostCallsWithin(calls, MINUTE_MS),
      perMinute: rate.perMinute,
      worstPerMinute: rate.worst,
      reuseSeconds: rate.reuseMs / 1000,
      firstMinuteSeconds: ((byArrival[CALLS_PER_MINUTE - 1]?.at ?? Number.NaN) - first) / 1000,
      allCreatedSeconds: ((lastCreated?.answeredAt ?? Number.NaN) - first) / 1000,
      readyMs: children.map((c) => c.readyMs),
    };
  } finally {
    for (const child of children) await stopChild(ctx, child);
    await endpoint.close();
    await emulatorDb.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A backlog queued during an outage, drained when the endpoint answers again

export interface RecoveryResult {
  kind: DbKind;
  queued: number;
  /** Calls the endpoint answered 503 during the outage. */
  outageCalls: number;
  /** How long the outage lasted after every contact had been refused once (s). */
  heldSeconds: number;
  /** From the endpoint's return to its first success: the wait for the next due retry, not the product's reaction (ms). */
  firstSuccessAfterMs: number;
  /** From the endpoint's first success (its answer) until it had created the whole backlog (ms). */
  drainMs: number;
  /** From the same first success until the last "Contact created" DM reached Slack (ms). */
  toldMs: number;
  /** Calls from the first success until the backlog was created, that one included. */
  calls: number;
  /** Requests the product made due at once when the endpoint answered again (its `endpoint recovered` retries). */
  madeDue: number;
  /** Product CPU time per contact created after the endpoint's return (ms). */
  cpuPerContactMs: number;
  created: number;
  complete: boolean;
}

/** How many requests the product's recovery made due (the `retry` events it records, saying why). */
async function recoveredRetries(where: Place): Promise<number> {
  const database = await where.open();
  try {
    const { rows } = (await database.db.execute(
      sql`select count(*)::int as n from request_events where kind = 'retry' and detail->>'reason' = 'endpoint recovered'`,
    )) as unknown as { rows: { n: number }[] };
    return Number(rows[0]?.n ?? Number.NaN);
  } finally {
    await database.close();
  }
}

/** The first line of the DM that says a contact was created. */
const CREATED_TITLE = 'Contact created';

/**
 * `queued` requests recorded before the product starts against an endpoint that answers 503 (the proxy itself), with
 * an unlimited budget: the product tries each, is refused, and schedules the retries. Once the endpoint has refused as
 * many contacts as were queued, the outage lasts `holdMs` more (the retries spread over the backoff), then the endpoint
 * answers again. Measures from its first success until every contact is created.
 */
export async function recoveryDrain(
  ctx: BenchContext,
  kind: DbKind,
  queued = 1_000,
  holdMs = 5_000,
  capMs = 60_000,
): Promise<RecoveryResult> {
  const where = await place(ctx, kind);
  await recordBacklog(where, queued, `bench-recovery-${kind}`);
  const emulatorDb = await (await place(ctx, kind)).open();
  const endpoint = await startBenchEndpoint(emulatorDb.db, { callsPerMinute: UNLIMITED_CALLS, delayMs: 0 });
  endpoint.setDown(true);
  let told = 0;
  let lastToldAt = Number.NaN;
  ctx.slack.onMessage = (text, at) => {
    if (text.split('\n')[0] !== CREATED_TITLE) return;
    told += 1;
    lastToldAt = at;
  };
  let child: ChildServer | undefined;
  try {
    child = await spawnProduct(ctx, `recovery: ${kind}`, {
      ...where.env,
      ...endpoint.env,
      KORE_RATE_LIMIT_PER_MIN: String(UNLIMITED_CALLS),
    });
    const refused = () => endpoint.calls.reduce((sum, call) => sum + (call.status === 503 ? call.sent : 0), 0);
    const deadline = performance.now() + capMs;
    while (refused() < queued && performance.now() < deadline) await sleep(20);
    if (refused() < queued) throw new Error(`recovery (${kind}): the endpoint refused only ${refused()} contacts in ${capMs / 1000} s`);
    const heldFrom = performance.now();
    await sleep(holdMs);
    const outageCalls = endpoint.calls.length;
    const cpu0 = child.cpuMs();
    endpoint.setDown(false);
    const upAt = performance.now();
    while ((endpoint.created() < queued || told < queued) && performance.now() - upAt < capMs) await sleep(10);
    const cpuPerContactMs = (child.cpuMs() - cpu0) / Math.max(1, endpoint.created());
    await stopChild(ctx, child); // PGlite: the bench reads the audit trail once the product has let go of it
    const after = endpoint.calls.slice(outageCalls);
    const firstSuccess = after.find((call) => call.status >= 200 && call.status < 300);
    let total = 0;
    const lastIndex = after.findIndex((call) => {
      total += call.created;
      return total >= queued;
    });
    const last = after[lastIndex];
    const successIndex = firstSuccess ? after.indexOf(firstSuccess) : -1;
    const since = firstSuccess?.answeredAt ?? Number.NaN;
    return {
      kind,
      queued,
      outageCalls,
      heldSeconds: (upAt - heldFrom) / 1000,
      firstSuccessAfterMs: since - upAt,
      drainMs: (last?.answeredAt ?? Number.NaN) - since,
      toldMs: told >= queued ? lastToldAt - since : Number.NaN,
      calls: lastIndex >= 0 && successIndex >= 0 ? lastIndex - successIndex + 1 : Number.NaN,
      madeDue: await recoveredRetries(where),
      cpuPerContactMs,
      created: endpoint.created(),
      complete: endpoint.created() >= queued,
    };
  } finally {
    ctx.slack.onMessage = undefined;
    if (child) await stopChild(ctx, child);
    await endpoint.close();
    await emulatorDb.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report

export interface BudgetResults {
  drains: BudgetResult[];
  recoveries: RecoveryResult[];
}

type Table = (header: string[], rows: string[][], align?: ('l' | 'r')[]) => string;

const seconds = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
const millis = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');

/** The results.md section of the budget scenario. */
export function renderBudget(r: BudgetResults, table: Table): string[] {
  const out: string[] = ['## 5. Call budget', ''];
  if (r.drains.length) {
    out.push(
      `A backlog of ${num(r.drains[0]!.queued)} requests recorded with \`recordRequest\` before the product starts, with \`KORE_RATE_LIMIT_PER_MIN=${CALLS_PER_MINUTE}\` and \`KORE_BATCH_SIZE=${BATCH_SIZE}\`, against the bench's emulator enforcing ${CALLS_PER_MINUTE} calls per rolling minute (429 with the vendor's text) behind a proxy that logs every call and its answer: the calls and 429s are counted there, at the endpoint, not by the app.`,
      '',
      `**Contacts per minute (sustained).** The budget lets the first ${CALLS_PER_MINUTE} calls (${num(CALLS_PER_MINUTE * BATCH_SIZE)} contacts) out at once, and the rest only as those calls leave its window: a backlog's first minute is free and its last calls need not fill a minute, so neither "created ÷ elapsed" (which counts the free minute) nor "created ÷ whole windows" (which charges the last, part-empty minute in full) says what the budget sustains. Here every run of ${CALLS_PER_MINUTE} consecutive calls (by arrival at the endpoint) is one budget's worth, and the call after the run is the first its oldest call let through again: rate = contacts carried by the runs ÷ the time from each run's first call to the call after it, summed over all runs (calls 1–${CALLS_PER_MINUTE} → call ${CALLS_PER_MINUTE + 1}, 2–${CALLS_PER_MINUTE + 1} → ${CALLS_PER_MINUTE + 2}, …); "worst run" is the slowest one. The product's window is 61 s (a second's margin for clock skew), so its ceiling is ${num((CALLS_PER_MINUTE * BATCH_SIZE * 60) / 61)}/min; the goal is ${num(RATE_GOAL)}/min (95 % of ${CALLS_PER_MINUTE} × ${BATCH_SIZE}).`,
      '',
      table(
        [
          'database',
          'instances',
          'created',
          'calls',
          '429 answers',
          'other refusals',
          'most calls in 60 s',
          'contacts/min (sustained)',
          'worst run',
          'call → its place reused (s)',
          'first 60 calls took (s)',
          'first call → all created (s)',
          'spawn → healthy (ms)',
        ],
        r.drains.map((d) => [
          d.kind,
          String(d.instances),
          `${d.created}/${d.queued}${d.complete ? '' : ' (cap reached)'}`,
          String(d.calls),
          String(d.rateLimited),
          String(d.otherRefusals),
          String(d.mostCallsInAMinute),
          num(d.perMinute),
          num(d.worstPerMinute),
          seconds(d.reuseSeconds),
          seconds(d.firstMinuteSeconds),
          seconds(d.allCreatedSeconds),
          d.readyMs.map((v) => v.toFixed(0)).join(', '),
        ]),
      ),
      '',
    );
  }
  if (r.recoveries.length) {
    out.push(
      `**Recovery.** ${num(r.recoveries[0]!.queued)} requests recorded before the product starts with an unlimited budget (\`KORE_RATE_LIMIT_PER_MIN=${UNLIMITED_CALLS}\`, batches of ${BATCH_SIZE}) while the endpoint answers 503 (the proxy answers for it); once it has refused as many contacts as were queued the outage lasts ${seconds(r.recoveries[0]!.heldSeconds)} s more, so the retries spread over the backoff, then it answers again. The goal's clock starts at the endpoint's first success (its answer, the earliest the product can know) and stops when the endpoint has created the last contact; the DM column stops at the last "Contact created" DM instead. The wait from the endpoint's return to its first success is the next retry's backoff, shown for context; "made due at once" counts the requests the product's recovery pulled forward (its \`endpoint recovered\` retry events), the rest being in flight or already due then.`,
      '',
      table(
        [
          'database',
          'created',
          '503 answers in the outage',
          'return → first success (ms)',
          'made due at once',
          'first success → all created (ms)',
          'calls',
          'first success → last DM (ms)',
          'product CPU ms / contact',
        ],
        r.recoveries.map((x) => [
          x.kind,
          `${x.created}/${x.queued}${x.complete ? '' : ' (cap reached)'}`,
          String(x.outageCalls),
          millis(x.firstSuccessAfterMs),
          String(x.madeDue),
          millis(x.drainMs),
          String(x.calls),
          millis(x.toldMs),
          x.cpuPerContactMs.toFixed(2),
        ]),
      ),
      '',
    );
  }
  return out;
}

const verdict = (ok: boolean) => (ok ? '**met**' : '**not met**');
const dbName = (kind: DbKind) => (kind === 'postgres' ? 'PostgreSQL' : 'PGlite');

/** The budget scenario's rows of the goals table. */
export function budgetGoals(r: BudgetResults): string[][] {
  const rows: string[][] = [];
  for (const d of r.drains) {
    rows.push([
      `backlog of ${num(d.queued)} at ${CALLS_PER_MINUTE} calls/min, batches of ${BATCH_SIZE}, ${d.instances === 1 ? 'one instance' : `${d.instances} instances`}, ${dbName(d.kind)}: ≥ ${num(RATE_GOAL)} contacts/min sustained, zero 429`,
      `${num(d.perMinute)}/min (worst run ${num(d.worstPerMinute)}), ${d.rateLimited} × 429${d.complete ? '' : `, only ${d.created} created`}`,
      verdict(d.complete && d.perMinute >= RATE_GOAL && d.rateLimited === 0),
    ]);
  }
  for (const x of r.recoveries) {
    rows.push([
      `backlog of ${num(x.queued)} after an outage, unlimited budget, ${dbName(x.kind)}: all created ≤ ${RECOVERY_GOAL_MS / 1000} s after the first success`,
      `${millis(x.drainMs)} ms`,
      verdict(x.complete && x.drainMs <= RECOVERY_GOAL_MS),
    ]);
  }
  return rows;
}
