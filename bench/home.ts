import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { sql, type SQLWrapper } from 'drizzle-orm';
import { latestEndpointErrors } from '../src/audit/health.js';
import { HOME_LIST_LENGTH, listRequests } from '../src/audit/home.js';
import { recordRequest, settleRequests, type Settlement } from '../src/audit/requests.js';
import { normalisePhone } from '../src/contact/phone.js';
import type { Db } from '../src/database.js';
import { appHomeOpened } from '../test/support/slack-requests.js';
import { postSignedJson } from './lib/http.js';
import { SIGNING_SECRET } from './lib/processes.js';
import { ms, num } from './lib/stats.js';
import { summarise, type Summary } from './lib/stats.js';
import { place, spawnProduct, stopChild, type BenchContext, type DbKind } from './scenarios.js';

/** The goal: `app_home_opened` → `views.publish`, p50, on PostgreSQL with `TRAIL` requests in the audit trail. */
export const HOME_GOAL_MS = 15;
const TRAIL = 1_000;
const USERS = 10;
const AGENT = 'U1';
const ADMIN = 'U0';

export interface HomeResult {
  kind: DbKind;
  requests: number;
  agent: Summary;
  admin: Summary;
  /** Product CPU time per home published, agents' and admins' together. */
  cpuPerHomeMs: number;
  /** EXPLAIN ANALYZE of each query a home reads, on the trail as it was measured. */
  plans: { query: string; plan: string }[];
}

/**
 * Opens the Home tab of an agent, then of an admin, `n` times each, one after the other, and times each from the signed
 * `app_home_opened` until the fake Slack receives the `views.publish` of that user's home. The trail holds `TRAIL`
 * settled requests of `USERS` users (a few failed, a few deleted since), so an agent has a tenth of them.
 */
export async function homePublish(ctx: BenchContext, kind: DbKind, n = 200): Promise<HomeResult> {
  const where = await place(ctx, kind);
  const database = await where.open();
  let plans: HomeResult['plans'];
  try {
    await fillTrail(database.db);
    await database.db.execute(sql`analyze`);
    plans = await explain(database.db, {
      "an agent's requests": listRequests(database.db, { userId: AGENT, limit: HOME_LIST_LENGTH }),
      "the team's requests": listRequests(database.db, { limit: HOME_LIST_LENGTH }),
      "the endpoint's last error": latestEndpointErrors(database.db),
    });
  } finally {
    await database.close(); // PGlite: one process per folder
  }

  const product = await spawnProduct(ctx, `home: ${kind}`, { ...where.env, ADMIN_USER_IDS: ADMIN });
  const waiters = new Map<string, (at: number) => void>();
  ctx.slack.onPublish = (userId, at) => waiters.get(userId)?.(at);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const open = async (userId: string): Promise<number> => {
    const published = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`home: no views.publish for ${userId} within 5 s`)), 5_000);
      waiters.set(userId, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
    const t0 = performance.now();
    const reply = await postSignedJson(product.events, SIGNING_SECRET, appHomeOpened(userId), agent);
    if (reply.status !== 200) throw new Error(`home: app_home_opened was answered ${reply.status} ${reply.body.slice(0, 200)}`);
    const at = await published;
    waiters.delete(userId);
    return at - t0;
  };
  const times = async (userId: string, count: number) => {
    const taken: number[] = [];
    for (let i = 0; i < count; i += 1) taken.push(await open(userId));
    return taken;
  };
  try {
    await times(AGENT, 20); // warm-up: JIT, sockets, the pool's connections
    await times(ADMIN, 20);
    const cpu0 = product.cpuMs();
    const agentTimes = await times(AGENT, n);
    const adminTimes = await times(ADMIN, n);
    const cpuPerHomeMs = (product.cpuMs() - cpu0) / (2 * n);
    return { kind, requests: TRAIL, agent: summarise(agentTimes), admin: summarise(adminTimes), cpuPerHomeMs, plans };
  } finally {
    ctx.slack.onPublish = undefined;
    agent.destroy();
    await stopChild(ctx, product);
  }
}

/** `TRAIL` requests as the delivery leaves them: created, and every 25th a delete of its user's earlier contact, every 50th failed. */
async function fillTrail(db: Db): Promise<void> {
  const settlements: Settlement[] = [];
  for (let i = 0; i < TRAIL; i += 1) {
    const phone = normalisePhone(`+9198764${String(i).padStart(5, '0')}`, 'IN');
    if (!phone.ok) throw new Error('the bench made an invalid number');
    const deletes = i % 25 === 24;
    const { row } = await recordRequest(
      db,
      {
        idempotencyKey: `bench-home-${i}`,
        teamId: 'T1',
        userId: `U${i % USERS}`,
        source: 'slash',
        ...(deletes ? { operation: 'delete' as const, targetContactId: `c-${i - USERS}` } : {}),
        contact: { salutation: 'Ms', firstName: 'Meera', lastName: `Home${i}`, phone: phone.phone },
        reply: { kind: 'modal', viewId: `VH${i}` },
      },
      { leaseMs: 60_000 },
    );
    if (deletes) settlements.push({ id: row.id, status: 'deleted', contactId: `c-${i - USERS}` });
    else if (i % 50 === 0)
      settlements.push({ id: row.id, status: 'failed', error: { kind: 'unavailable', status: 503, messages: ['Service Unavailable'] } });
    else settlements.push({ id: row.id, status: 'created', contactId: `c-${i}` });
  }
  for (let i = 0; i < settlements.length; i += 100) await settleRequests(db, settlements.slice(i, i + 100));
}

async function explain(db: Db, queries: Record<string, SQLWrapper>): Promise<HomeResult['plans']> {
  const plans: HomeResult['plans'] = [];
  for (const [query, built] of Object.entries(queries)) {
    const result = (await db.execute(sql`explain (analyze, costs off, timing off, summary off) ${built}`)) as unknown as {
      rows: Record<string, string>[];
    };
    plans.push({ query, plan: result.rows.map((row) => row['QUERY PLAN']).join('\n') });
  }
  return plans;
}

/** The section of the report. */
export function renderHome(results: HomeResult[]): string[] {
  if (results.length === 0) return [];
  const out = ['## 5. App Home: `app_home_opened` → `views.publish` (ms)', ''];
  out.push(
    `One signed \`app_home_opened\` at a time (JSON, keep-alive); latency = until the fake Slack received that user's \`views.publish\`. The trail holds ${num(TRAIL)} settled requests of ${USERS} users; the agent's home reads one query (their ${HOME_LIST_LENGTH} latest), the admin's four at once (theirs, the team's, the delivery's health, the endpoint's last error).`,
    '',
    '| database | requests in the trail | n | agent p50 | agent p99 | admin p50 | admin p99 | product CPU ms / home |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.kind} | ${num(r.requests)} | ${r.agent.n} | ${ms(r.agent.p50)} | ${ms(r.agent.p99)} | ${ms(r.admin.p50)} | ${ms(r.admin.p99)} | ${r.cpuPerHomeMs.toFixed(2)} |`,
    ),
    '',
  );
  for (const r of results) {
    out.push(`<details><summary>Query plans (${r.kind}, EXPLAIN ANALYZE)</summary>`, '');
    for (const { query, plan } of r.plans) out.push(`${query}:`, '', '```', plan, '```', '');
    out.push('</details>', '');
  }
  return out;
}

/** The goal's row for the report's table of goals. */
export function homeGoal(results: HomeResult[]): string[] {
  const r = results.find((x) => x.kind === 'postgres');
  const verdict = r === undefined ? 'not measured' : r.agent.p50 <= HOME_GOAL_MS ? '**met**' : '**not met**';
  return [
    `App Home published ≤ ${HOME_GOAL_MS} ms p50 after app_home_opened, ${num(TRAIL)} requests in the trail, PostgreSQL`,
    r ? `agent p50 ${ms(r.agent.p50)} ms (admin ${ms(r.admin.p50)} ms)` : '–',
    verdict,
  ];
}
