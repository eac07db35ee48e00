/**
 * `npm run bench`: load and latency benchmarks of the contact bot against a bare Bolt app, on loopback.
 *
 *   npm run bench                                   PGlite only
 *   BENCH_DATABASE_URL=postgres://… npm run bench   …and PostgreSQL (scratch databases, dropped afterwards)
 *   npm run bench -- --only=ack,dm                  some scenarios: phone, parse, cold, ack, dm, drain, budget, home, import
 *   npm run bench -- --profile [--only=…]           also `--cpu-prof` every product process (profiles in /tmp)
 *   BENCH_NODE_OPTIONS='--max-old-space-size=96' npm run bench    node flags for the product processes
 *   npm run bench -- --start=tsx                    start the product with `node --import tsx src/main.ts`
 *                                                   (default: what `npm start` runs — the `build` script's
 *                                                   bundle — with `tsx` cold starts as a reference)
 *
 * A full run without --profile writes bench/results.md.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchTmp, cleanUp, pgliteTemplate, postgresVersion } from './lib/databases.js';
import { startBenchSlack } from './lib/fake-slack.js';
import { homeGoal, homePublish, renderHome, type HomeResult } from './home.js';
import { importGoals, importRun, renderImport, type ImportResult } from './import.js';
import { ROOT, prepareStartPath, type StartPath } from './lib/processes.js';
import { BATCH_SIZE, budgetDrain, budgetGoals, recoveryDrain, renderBudget, type BudgetResults } from './budget.js';
import { UNLIMITED_CALLS } from './lib/endpoint.js';
import { ms, num } from './lib/stats.js';
import { PARSE_GOAL_MS, worstCaseParse, type ParseResult } from './parse.js';
import {
  ACK_CONCURRENCY,
  ackLatency,
  coldStart,
  drain,
  phoneThroughput,
  submissionToDm,
  type AckResult,
  type BenchContext,
  type ColdStartResult,
  type DbKind,
  type DmEndpoint,
  type DmResult,
  type DrainResult,
  type PhoneResult,
  type RssReading,
} from './scenarios.js';

const SCENARIOS = ['phone', 'parse', 'cold', 'ack', 'dm', 'drain', 'budget', 'home', 'import'] as const;
type Scenario = (typeof SCENARIOS)[number];

const argv = process.argv.slice(2);
const profiling = argv.includes('--profile');
const only = argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
for (const name of only ?? []) {
  if (!(SCENARIOS as readonly string[]).includes(name)) {
    process.stderr.write(`bench: unknown scenario ${name} (known: ${SCENARIOS.join(', ')})\n`);
    process.exit(2);
  }
}
const wanted = (s: Scenario) => !only || only.includes(s);
const startMode = argv.find((a) => a.startsWith('--start='))?.slice('--start='.length) ?? 'auto';
if (!['auto', 'bundle', 'tsx'].includes(startMode)) {
  process.stderr.write(`bench: --start must be auto, bundle or tsx\n`);
  process.exit(2);
}
const pgUrl = process.env.BENCH_DATABASE_URL?.trim() || undefined;
const kinds: DbKind[] = pgUrl ? ['pglite', 'postgres'] : ['pglite'];

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

interface Results {
  phone?: PhoneResult;
  parse?: ParseResult;
  cold: ColdStartResult[];
  ack?: AckResult;
  dm: DmResult[];
  drain: DrainResult[];
  budget: BudgetResults;
  home: HomeResult[];
  import: ImportResult[];
  failures: string[];
}

async function step<T>(results: Results, what: string, run: () => Promise<T> | T): Promise<T | undefined> {
  const t0 = performance.now();
  log(`${what}…`);
  try {
    const value = await run();
    log(`${what}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return value;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`${what}: FAILED: ${message}`);
    results.failures.push(`${what}: ${message.split('\n')[0]}`);
    return undefined;
  }
}

async function main(): Promise<number> {
  const started = performance.now();
  const results: Results = { cold: [], dm: [], drain: [], budget: { drains: [], recoveries: [] }, home: [], import: [], failures: [] };
  const slack = await startBenchSlack();
  const start = prepareStartPath(startMode as 'auto' | 'bundle' | 'tsx', benchTmp());
  log(`product start path: ${start.describe}`);
  const ctx: BenchContext = {
    slack,
    start,
    ...(pgUrl ? { pgUrl } : {}),
    ...(profiling ? { profileRoot: mkdtempSync('/tmp/contact-bot-bench-profiles-') } : {}),
    profiles: [],
  };
  try {
    await step(results, 'building a migrated PGlite template', () => pgliteTemplate());
    const pgServer = pgUrl ? await postgresVersion(pgUrl) : undefined;

    if (wanted('phone')) results.phone = await step(results, 'normalisePhone throughput', () => phoneThroughput());
    if (wanted('parse')) results.parse = await step(results, 'worst-case parse at the caps', () => worstCaseParse());
    if (wanted('cold')) {
      for (const kind of kinds) {
        const r = await step(results, `cold start (${kind}, median of 5)`, () => coldStart(ctx, kind));
        if (r) results.cold.push(r);
      }
      if (start.mode === 'bundle') {
        const tsx = prepareStartPath('tsx', benchTmp());
        for (const kind of kinds) {
          const r = await step(results, `cold start (${kind}, tsx reference, median of 3)`, () => coldStart(ctx, kind, 3, tsx));
          if (r) results.cold.push(r);
        }
      }
    }
    if (wanted('ack')) results.ack = await step(results, '/addcontact ack, product vs bare Bolt', () => ackLatency(ctx));
    if (wanted('dm')) {
      for (const kind of kinds) {
        for (const [to, n, warmUp] of [
          [{ kind: 'lifted' }, 300, 20],
          [{ kind: 'built-in' }, 40, 20],
          [{ kind: 'delayed', delayMs: 200 }, 30, 5],
        ] as [DmEndpoint, number, number][]) {
          const what =
            to.kind === 'delayed' ? `${to.delayMs} ms` : `instant, ${to.kind === 'lifted' ? 'budget lifted' : 'built-in emulator'}`;
          const r = await step(results, `submission → DM (${kind}, ${what})`, () => submissionToDm(ctx, kind, to, n, warmUp));
          if (r) results.dm.push(r);
        }
      }
    }
    /** One instance on each database, and two on PostgreSQL: the drain's and the budget's runs. */
    const instanceRuns: [DbKind, number][] = [
      ['pglite', 1],
      ...(pgUrl
        ? ([
            ['postgres', 1],
            ['postgres', 2],
          ] as [DbKind, number][])
        : []),
    ];
    if (wanted('drain')) {
      for (const [kind, instances] of instanceRuns) {
        const r = await step(results, `drain 5 000 (${kind}, ${instances} instance${instances > 1 ? 's' : ''})`, () =>
          drain(ctx, kind, instances),
        );
        if (r) results.drain.push(r);
      }
    }
    if (wanted('budget')) {
      for (const [kind, instances] of instanceRuns) {
        const r = await step(
          results,
          `budget: backlog of 5 000 at 60 calls/min (${kind}, ${instances} instance${instances > 1 ? 's' : ''})`,
          () => budgetDrain(ctx, kind, instances),
        );
        if (r) results.budget.drains.push(r);
      }
      for (const kind of kinds) {
        const r = await step(results, `budget: 1 000 queued in an outage, then recovery (${kind})`, () => recoveryDrain(ctx, kind));
        if (r) results.budget.recoveries.push(r);
      }
    }
    if (wanted('import')) {
      for (const kind of kinds) {
        const r = await step(results, `import of 5 000 rows: preview, submit, delivery at 60 calls/min (${kind})`, () =>
          importRun(ctx, kind),
        );
        if (r) results.import.push(r);
      }
    }
    if (wanted('home')) {
      for (const kind of kinds) {
        const r = await step(results, `App Home published (${kind})`, () => homePublish(ctx, kind));
        if (r) results.home.push(r);
      }
    }

    const totalSeconds = (performance.now() - started) / 1000;
    const report = render(results, { pgServer, totalSeconds, start });
    process.stdout.write(`${report}\n`);
    if (profiling) {
      const file = join(ctx.profileRoot!, 'summary.md');
      writeFileSync(file, `${report}\n\n## CPU profiles\n\n${ctx.profiles.join('\n\n')}\n`);
      process.stdout.write(`\n## CPU profiles\n\n${ctx.profiles.join('\n\n')}\n\nProfiles and summary: ${ctx.profileRoot}\n`);
    } else if (!only) {
      writeFileSync(join(ROOT, 'bench', 'results.md'), `${report}\n`);
      log('wrote bench/results.md');
    }
    return results.failures.length > 0 ? 1 : 0;
  } finally {
    await slack.close();
    await cleanUp();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function pgliteVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return '?';
  }
}

function table(header: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const sep = header.map((_, i) => ((align?.[i] ?? 'r') === 'l' ? '---' : '---:'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? '**met**' : '**not met**');
const mb = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)} MB` : '–');

function render(r: Results, info: { pgServer: string | undefined; totalSeconds: number; start: StartPath }): string {
  const cpus = os.cpus();
  const out: string[] = [];
  out.push('# contact bot — benchmark results', '');
  out.push(
    `- Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'} × ${cpus.length} logical CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`,
    `- Node ${process.version}; date ${new Date().toISOString()}`,
    `- Databases: PGlite ${pgliteVersion()} (embedded, in each process)${info.pgServer ? `; PostgreSQL ${info.pgServer} (\`BENCH_DATABASE_URL\`, scratch databases)` : '; PostgreSQL not run (set `BENCH_DATABASE_URL`)'}`,
    `- Everything on loopback: fake Slack Web API, emulator and load generator in the bench process; the product is started as ${info.start.describe} with \`LOG_LEVEL=warn\` (bare Bolt the same way)${process.env.BENCH_NODE_OPTIONS ? ` and \`NODE_OPTIONS=${process.env.BENCH_NODE_OPTIONS}\` on the product` : ''}. Run took ${info.totalSeconds.toFixed(0)} s.${profiling ? ' **Profiled run (`--cpu-prof`): timings are inflated.**' : ''}`,
    '',
  );

  if (r.ack) {
    const a = r.ack;
    out.push(`## 1. \`/addcontact\` ack latency (ms) — product vs bare Bolt`, '');
    out.push(
      `Closed loop of signed slash-command POSTs; latency = until the whole HTTP answer arrived. ${a.rounds} alternating rounds of ${a.roundMs} ms per app and concurrency (product, bare, product, bare, …). Product on PGlite.`,
      '',
    );
    out.push(
      table(
        [
          'concurrency',
          'product p50',
          'product p99',
          'product req/s',
          'bare p50',
          'bare p99',
          'bare req/s',
          'p50 product/bare',
          'req/s product/bare',
          'errors (product/bare)',
        ],
        ACK_CONCURRENCY.map((c) => {
          const p = a.product[c]!;
          const b = a.bare[c]!;
          return [
            String(c),
            ms(p.latency.p50),
            ms(p.latency.p99),
            num(p.rps),
            ms(b.latency.p50),
            ms(b.latency.p99),
            num(b.rps),
            `${(p.latency.p50 / b.latency.p50).toFixed(2)}×`,
            `${(p.rps / b.rps).toFixed(2)}×`,
            `${p.errors}/${b.errors}`,
          ];
        }),
      ),
      '',
      `Per-round p50 ratios (product/bare): ${ACK_CONCURRENCY.map((c) => `c=${c}: ${(a.roundRatios[c] ?? []).map((x) => x.toFixed(2)).join(', ')}`).join('; ')}.`,
      '',
      `Product CPU per ack (ack + views.open): ${a.cpuPerAckMs.product.toFixed(3)} ms; bare Bolt: ${a.cpuPerAckMs.bare.toFixed(3)} ms (${(a.cpuPerAckMs.product / a.cpuPerAckMs.bare).toFixed(2)}×).`,
      '',
      `views.open calls seen by the fake Slack during the measured rounds: product ${a.viewsOpened.product} for ${a.viewsOpened.productAcks} acks, bare ${a.viewsOpened.bare} for ${a.viewsOpened.bareAcks} acks.`,
      '',
    );
  }

  if (r.dm.length) {
    out.push('## 2. Submission → outcome DM latency (ms)', '');
    out.push(
      "One signed `view_submission` at a time (unique `+9198765xxxxx` numbers); DM = until the fake Slack received the `chat.postMessage` with that contact's outcome (a \"queued\" DM does not count, and would show in the outcomes column). Endpoint = what each call took as the delaying proxy saw it; overhead = DM − endpoint (with no proxy in front — the built-in emulator inside the product, or the bench's emulator with its limit lifted — the endpoint's time is part of the overhead).",
      '',
      "Budget: every row but the first of each database runs with the default `KORE_RATE_LIMIT_PER_MIN=60`, so the budget's own work (take a call, mark it ended) is in each submission's path, and makes at most 60 calls (warm-up included) so that each submission finds a call in the budget, as a lone agent's does. The first row makes 320 calls in well under a minute, which the default budget would hold back (and the built-in emulator, which keeps the vendor's 60 a minute whatever the budget says, would refuse): it lifts `KORE_RATE_LIMIT_PER_MIN` and talks to the bench's emulator with its limit lifted instead, in the bench process, with no proxy in front. It measures latency with budget to spare in one warm process (in a trial run, a fresh process's submissions 21–60 were 15–35 % slower than its later ones); the budget's statements are the same, only the rolling minute it reads holds up to 320 calls instead of 60.",
      '',
    );
    out.push(
      table(
        [
          'database',
          'endpoint',
          'budget',
          'warm-up + n',
          'ack p50',
          'ack p99',
          'DM p50',
          'DM p99',
          'endpoint p50',
          'overhead p50',
          'overhead p99',
          'product CPU ms / submission',
          'PG commits / submission',
          'outcomes',
        ],
        r.dm.map((d) => [
          d.kind,
          d.endpoint,
          d.budget === 'default' ? '60 (default)' : 'lifted',
          `${d.warmUp} + ${d.n}`,
          ms(d.ack.p50),
          ms(d.ack.p99),
          ms(d.dm.p50),
          ms(d.dm.p99),
          d.endpointMs ? ms(d.endpointMs.p50) : d.endpoint.startsWith('built-in') ? 'in-process' : 'no proxy',
          ms(d.overhead.p50),
          ms(d.overhead.p99),
          d.cpuPerSubmissionMs.toFixed(2),
          d.commitsPerSubmission !== undefined ? d.commitsPerSubmission.toFixed(1) : '–',
          Object.entries(d.outcomes)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', '),
        ]),
        ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      ),
      '',
    );
  }

  if (r.drain.length) {
    out.push('## 3. Drain rate', '');
    out.push(
      `5 000 requests recorded with \`recordRequest\` (source \`slash\`, so each outcome is a DM plus a modal update) before the app starts; the emulator runs in the bench process on its own database. Raw speed: the product's budget (\`KORE_RATE_LIMIT_PER_MIN=${UNLIMITED_CALLS}\`) and the emulator's limit are both lifted, batches are the default ${BATCH_SIZE} (the budget's own cost stays in the path: a call is taken from it before each batch). Time from the first \`/healthz\` 200 until none is pending (PostgreSQL: polled; PGlite: the 5 000th DM, sent right after each request is settled).`,
      '',
    );
    out.push(
      table(
        [
          'database',
          'instances',
          'settled',
          'seconds',
          'contacts/s',
          'settled before ready',
          'emulator rows',
          'product CPU ms / contact',
          'machine CPU busy',
          'PG commits / contact',
          'Slack calls / contact',
          'spawn → healthy (ms)',
          'queue prepared in',
        ],
        r.drain.map((d) => [
          d.kind,
          String(d.instances),
          `${d.settled}/${d.queued}${d.complete ? '' : ' (cap reached)'}`,
          d.seconds.toFixed(2),
          num(d.perSecond),
          String(d.settledAtReady),
          String(d.emulatorRows),
          d.cpuPerContactMs.toFixed(2),
          `${(100 * d.machineBusy).toFixed(0)}%`,
          d.commitsPerContact !== undefined ? d.commitsPerContact.toFixed(1) : '–',
          d.slackCallsPerContact.toFixed(1),
          d.readyMs.map((v) => v.toFixed(0)).join(', '),
          `${d.prepareSeconds.toFixed(1)} s`,
        ]),
      ),
      '',
    );
  }

  out.push(...renderHome(r.home));
  out.push(...renderImport(r.import, table));

  const rss: RssReading[] = [
    ...r.cold.map((c) => c.rss),
    ...(r.ack ? [r.ack.rss] : []),
    ...r.dm.map((d) => d.rss),
    ...r.drain.flatMap((d) => d.rss),
  ];
  if (r.phone || r.parse || r.cold.length || rss.length) {
    out.push('## 4. Phone parsing, cold start, memory', '');
    const rows: string[][] = [];
    if (r.phone) rows.push(['`normalisePhone` throughput (12 mixed inputs, valid and invalid)', `${num(r.phone.callsPerSecond)} calls/s`]);
    if (r.parse)
      rows.push([
        `worst-case parse at the caps (${r.parse.perShape.length} hostile shapes, median of 5 each)`,
        `${r.parse.worstMs.toFixed(1)} ms`,
      ]);
    for (const c of r.cold) {
      rows.push([
        `cold start, spawn → \`/healthz\` 200 (${c.kind}, ${c.start === 'tsx' ? '`node --import tsx src/main.ts`' : 'bundle, build not counted'}, existing database, built-in emulator)`,
        `median ${num(c.medianMs)} ms (runs: ${c.timesMs.map((t) => t.toFixed(0)).join(', ')})`,
      ]);
    }
    for (const x of rss) {
      const parts = x.breakdown
        ? ` (probe: ${Object.entries(x.breakdown)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')} MB)`
        : '';
      rows.push([`RSS: ${x.process}`, `idle ${mb(x.idleMb)}, after load ${mb(x.afterMb)}${parts}`]);
    }
    out.push(table(['measure', 'value'], rows, ['l', 'l']), '');
    if (r.phone) {
      out.push(
        '<details><summary>normalisePhone per input (µs/call)</summary>',
        '',
        table(
          ['input', 'µs/call'],
          r.phone.perInput.map((p) => [p.label, p.microseconds.toFixed(1)]),
          ['l', 'r'],
        ),
        '',
        '</details>',
        '',
      );
    }
    if (r.parse) {
      out.push(
        '<details><summary>worst-case parse per shape (ms, median of 5)</summary>',
        '',
        table(
          ['shape', 'ms'],
          r.parse.perShape.map((p) => [p.label, p.ms.toFixed(2)]),
          ['l', 'r'],
        ),
        '',
        '</details>',
        '',
      );
    }
  }

  if (r.budget.drains.length || r.budget.recoveries.length) out.push(...renderBudget(r.budget, table));

  out.push('## Goals (2-core machine)', '');
  out.push(
    'Latency and rate verdicts near a threshold can flip between runs on a shared VM: compare the CPU-per-unit, commits-per-unit and calls-per-unit columns across runs, which move far less.',
    '',
  );
  const goals: string[][] = [];
  if (r.ack) {
    const ratio = r.ack.product[16]!.latency.p50 / r.ack.bare[16]!.latency.p50;
    const rounds = [...(r.ack.roundRatios[16] ?? [])].sort((a, b) => a - b);
    goals.push([
      'ack p50 ≤ 1.2× bare Bolt at 16 concurrent',
      `${ratio.toFixed(2)}× (${ms(r.ack.product[16]!.latency.p50)} vs ${ms(r.ack.bare[16]!.latency.p50)} ms; rounds ${rounds[0]?.toFixed(2)}–${rounds[rounds.length - 1]?.toFixed(2)}×)`,
      verdict(ratio <= 1.2),
    ]);
    const p99 = r.ack.product[64]!.latency.p99;
    goals.push(['ack p99 < 100 ms at 64 concurrent', `${ms(p99)} ms`, verdict(p99 < 100)]);
  } else {
    goals.push(['ack goals', '–', verdict(undefined)]);
  }
  for (const kind of ['postgres', 'pglite'] as const) {
    const d = r.dm.find((x) => x.kind === kind && x.budget === 'lifted');
    const name = `outcome DM ≤ 10 ms p50 and ≤ 30 ms p99, instant endpoint, ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite (reference; the goal is for PostgreSQL)'}`;
    if (d) goals.push([name, `p50 ${ms(d.dm.p50)} ms, p99 ${ms(d.dm.p99)} ms`, verdict(d.dm.p50 <= 10 && d.dm.p99 <= 30)]);
    else if (kind === 'postgres') goals.push([name, '–', verdict(undefined)]);
  }
  const lone = r.dm.find((x) => x.kind === 'postgres' && x.budget === 'lifted');
  const lonePerDefault = r.dm.find((x) => x.kind === 'postgres' && x.budget === 'default' && x.delayMs === 0);
  goals.push([
    'a lone submission with budget available: DM p50 ≤ 8 ms, PostgreSQL (the first DM row; the built-in emulator with the default budget beside it)',
    lone
      ? `p50 ${ms(lone.dm.p50)} ms${lonePerDefault ? ` (default budget: ${ms(lonePerDefault.dm.p50)} ms over ${lonePerDefault.n})` : ''}`
      : '–',
    verdict(lone ? lone.dm.p50 <= 8 : undefined),
  ]);
  for (const kind of ['postgres', 'pglite'] as const) {
    const d = r.drain.find((x) => x.kind === kind && x.instances === 1);
    const name = `drain ≥ 500 contacts/s, one instance, ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite'}`;
    if (d) goals.push([name, `${num(d.perSecond)} contacts/s`, verdict(d.perSecond >= 500)]);
    else if (kind === 'postgres') goals.push([name, '–', verdict(undefined)]);
  }
  const one = r.drain.find((x) => x.kind === 'postgres' && x.instances === 1);
  const two = r.drain.find((x) => x.kind === 'postgres' && x.instances === 2);
  goals.push([
    'drain: two instances faster than one (PostgreSQL)',
    one && two ? `${num(two.perSecond)} vs ${num(one.perSecond)} contacts/s (${(two.perSecond / one.perSecond).toFixed(2)}×)` : '–',
    verdict(one && two ? two.perSecond > one.perSecond : undefined),
  ]);
  goals.push(...budgetGoals(r.budget));
  if (!r.budget.drains.length) goals.push(['call budget goals', '–', verdict(undefined)]);
  for (const c of r.cold.filter((x) => x.start === info.start.mode)) {
    goals.push([`cold start ≤ 1.0 s (${c.kind})`, `median ${num(c.medianMs)} ms`, verdict(c.medianMs <= 1000)]);
  }
  if (!r.cold.length) goals.push(['cold start ≤ 1.0 s', '–', verdict(undefined)]);
  goals.push([
    `worst-case parse at the caps ≤ ${PARSE_GOAL_MS} ms per card`,
    r.parse ? `${r.parse.worstMs.toFixed(1)} ms (${r.parse.perShape.reduce((a, b) => (b.ms > a.ms ? b : a)).label})` : '–',
    verdict(r.parse ? r.parse.worstMs <= PARSE_GOAL_MS : undefined),
  ]);
  const after = rss.filter((x) => Number.isFinite(x.afterMb)); // cold-start processes carry no load
  for (const [kind, name] of [
    ['postgres', 'PostgreSQL'],
    ['pglite', 'PGlite'],
  ] as const) {
    const mine = after.filter((x) => (kind === 'pglite' ? /pglite/i.test(x.process) : /postgres/i.test(x.process)));
    const worst = mine.reduce<RssReading | undefined>((w, x) => (!w || x.afterMb > w.afterMb ? x : w), undefined);
    if (worst || kind === 'postgres') {
      goals.push([
        `RSS ≤ 150 MB after the load, ${name} (largest product process)`,
        worst ? `${mb(worst.afterMb)} (${worst.process})` : '–',
        verdict(worst ? worst.afterMb <= 150 : undefined),
      ]);
    }
  }
  goals.push(homeGoal(r.home));
  goals.push(...importGoals(r.import));
  out.push(table(['goal', 'measured', 'verdict'], goals, ['l', 'l', 'l']), '');

  if (r.failures.length) out.push('## Failures', '', ...r.failures.map((f) => `- ${f}`), '');
  return out.join('\n');
}

let interrupted = false;
process.once('SIGINT', () => {
  if (interrupted) return;
  interrupted = true;
  log('interrupted: cleaning up');
  void cleanUp().finally(() => process.exit(130));
});

const code = await main().catch(async (error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await cleanUp();
  return 1;
});
process.exit(code);
