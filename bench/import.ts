import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { BATCH_SIZE, CALLS_PER_MINUTE, mostCallsWithin, RATE_GOAL, sustainedRate } from './budget.js';
import { startBenchEndpoint } from './lib/endpoint.js';
import { postSigned } from './lib/http.js';
import { SIGNING_SECRET } from './lib/processes.js';
import { ms, num, summarise, type Summary } from './lib/stats.js';
import { importSubmission, saveAsContact } from '../test/support/slack-requests.js';
import { type BenchContext, type DbKind, place, sleep, spawnProduct, stopChild } from './scenarios.js';

/** Goals (issue 14): a 5,000-row preview, the submit's ack on PostgreSQL, and the progress message's edits a minute. */
export const PREVIEW_GOAL_MS = 300;
export const SUBMIT_GOAL_MS = 1_000;
export const EDITS_PER_MINUTE_GOAL = 30;
const ROWS = 5_000;
const PREVIEWS = 10;
const MINUTE_MS = 60_000;

export interface ImportResult {
  kind: DbKind;
  /** From the signed shortcut until the fake Slack received the preview (`views.update` of `import_contacts`). */
  preview: Summary;
  /** The signed `view_submission` of the 5,000-row preview, until its whole HTTP answer. */
  submitAckMs: number;
  created: number;
  complete: boolean;
  rateLimited: number;
  /** Contacts a minute over each run of `CALLS_PER_MINUTE` calls (see budget.ts `sustainedRate`). */
  perMinute: number;
  worstPerMinute: number;
  /** `chat.update` of the progress message: the most in any 60 s, and the shortest gap between two. */
  mostEditsInAMinute: number;
  shortestEditGapMs: number;
  /** From the submit until the final summary was posted (the import's last edit). */
  summarySeconds: number;
}

function leadsCsv(): string {
  const rows = Array.from({ length: ROWS }, (_, i) => `Lead,Number ${i},+91 98765 ${String(i).padStart(5, '0')}`);
  return `First name,Last name,Mobile\n${rows.join('\n')}\n`;
}

/**
 * A 5,000-row CSV shared and previewed `PREVIEWS` times, one preview submitted, and its rows delivered by one product
 * against the bench's emulator enforcing 60 calls a minute (`KORE_RATE_LIMIT_PER_MIN=60`, batches of 50), while the
 * fake Slack counts the progress message's edits.
 */
export async function importRun(ctx: BenchContext, kind: DbKind, capMs = 240_000): Promise<ImportResult> {
  const where = await place(ctx, kind);
  const emulatorDb = await (await place(ctx, kind)).open();
  const endpoint = await startBenchEndpoint(emulatorDb.db, { callsPerMinute: CALLS_PER_MINUTE, delayMs: 0 });
  const product = await spawnProduct(ctx, `import: ${kind}`, {
    ...where.env,
    ...endpoint.env,
    KORE_RATE_LIMIT_PER_MIN: String(CALLS_PER_MINUTE),
    KORE_BATCH_SIZE: String(BATCH_SIZE),
  });
  const url = ctx.slack.serveFile(`import-${kind}.csv`, leadsCsv());
  const previews: { at: number; view: { private_metadata?: string } }[] = [];
  const edits: number[] = [];
  ctx.slack.onCall = (method, body, at) => {
    if (method === 'views.update') {
      const view = JSON.parse(new URLSearchParams(body).get('view') ?? '{}') as {
        callback_id?: string;
        private_metadata?: string;
        submit?: unknown;
      };
      if (view.callback_id === 'import_contacts' && view.submit) previews.push({ at, view });
    } else if (method === 'chat.update') {
      edits.push(at);
    }
  };
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const previewMs: number[] = [];
    for (let i = 0; i < PREVIEWS + 2; i += 1) {
      const seen = previews.length;
      const t0 = performance.now();
      const reply = await postSigned(
        product.events,
        SIGNING_SECRET,
        saveAsContact(`t-import-${i}`, {
          text: 'Leads',
          files: [{ id: 'F1', name: 'leads.csv', mimetype: 'text/csv', url_private_download: url }],
        }),
        agent,
      );
      if (reply.status !== 200) throw new Error(`import: the shortcut was answered ${reply.status}`);
      while (previews.length === seen) {
        if (performance.now() - t0 > 10_000) throw new Error('import: no preview within 10 s');
        await sleep(2);
      }
      if (i >= 2) previewMs.push(previews[seen]!.at - t0); // two warm-ups
    }
    const draftKey = previews.at(-1)?.view.private_metadata ?? '';
    const t0 = performance.now();
    const ack = await postSigned(product.events, SIGNING_SECRET, importSubmission(draftKey, 'US'), agent);
    const submitAckMs = performance.now() - t0;
    if (!ack.body.includes('"update"')) throw new Error(`import: the submit was answered ${ack.status} ${ack.body.slice(0, 200)}`);
    while (endpoint.created() < ROWS && performance.now() - t0 < capMs) await sleep(50);
    // The summary is the last edit: the one after the last row settled, within the next look (2 s) or two.
    await sleep(6_000);
    const summaryAt = edits.at(-1) ?? Number.NaN;
    const calls = [...endpoint.calls];
    const rate = sustainedRate(calls, CALLS_PER_MINUTE);
    return {
      kind,
      preview: summarise(previewMs),
      submitAckMs,
      created: endpoint.created(),
      complete: endpoint.created() >= ROWS,
      rateLimited: calls.filter((c) => c.status === 429).length,
      perMinute: rate.perMinute,
      worstPerMinute: rate.worst,
      mostEditsInAMinute: mostCallsWithin(
        edits.map((at) => ({ at })),
        MINUTE_MS,
      ),
      shortestEditGapMs: Math.min(...edits.slice(1).map((at, i) => at - edits[i]!)),
      summarySeconds: (summaryAt - t0) / 1000,
    };
  } finally {
    ctx.slack.onCall = undefined;
    agent.destroy();
    await stopChild(ctx, product);
    await endpoint.close();
    await emulatorDb.close();
  }
}

type Table = (header: string[], rows: string[][], align?: ('l' | 'r')[]) => string;

export function renderImport(results: ImportResult[], table: Table): string[] {
  if (results.length === 0) return [];
  return [
    '## 7. Bulk import of 5,000 rows',
    '',
    `A CSV of ${num(ROWS)} rows shared, previewed ${PREVIEWS} times after two warm-ups (from the signed shortcut to the fake Slack's \`views.update\` of the preview: download, parse, check, draft), one preview submitted (the signed \`view_submission\` until its answer), and its rows delivered against the bench's emulator at ${CALLS_PER_MINUTE} calls a minute in batches of ${BATCH_SIZE}, with the progress message's \`chat.update\` edits counted.`,
    '',
    table(
      [
        'database',
        'preview p50',
        'preview max',
        'submit ack',
        'created',
        '429s',
        'contacts/min (worst run)',
        'edits in any 60 s',
        'shortest gap',
        'summary after',
      ],
      results.map((r) => [
        r.kind,
        ms(r.preview.p50),
        ms(r.preview.max),
        ms(r.submitAckMs),
        `${num(r.created)}${r.complete ? '' : ' (incomplete)'}`,
        String(r.rateLimited),
        `${num(Math.round(r.perMinute))} (${num(Math.round(r.worstPerMinute))})`,
        String(r.mostEditsInAMinute),
        `${(r.shortestEditGapMs / 1000).toFixed(2)} s`,
        `${r.summarySeconds.toFixed(0)} s`,
      ]),
    ),
    '',
  ];
}

export function importGoals(results: ImportResult[]): string[][] {
  return results.flatMap((r) => [
    [`import: preview of 5,000 rows p50 ≤ ${PREVIEW_GOAL_MS} ms (${r.kind})`, ms(r.preview.p50), verdict(r.preview.p50 <= PREVIEW_GOAL_MS)],
    ...(r.kind === 'postgres'
      ? [
          [
            `import: submit of 5,000 rows acked ≤ ${SUBMIT_GOAL_MS} ms (postgres)`,
            ms(r.submitAckMs),
            verdict(r.submitAckMs <= SUBMIT_GOAL_MS),
          ],
        ]
      : []),
    [
      `import: delivery ≥ ${num(RATE_GOAL)}/min, 0 × 429 (${r.kind})`,
      `${num(Math.round(r.perMinute))}/min, ${r.rateLimited} × 429`,
      verdict(r.complete && r.perMinute >= RATE_GOAL && r.rateLimited === 0),
    ],
    [
      `import: progress edited ≤ ${EDITS_PER_MINUTE_GOAL} times a minute (${r.kind})`,
      String(r.mostEditsInAMinute),
      verdict(r.mostEditsInAMinute <= EDITS_PER_MINUTE_GOAL),
    ],
  ]);
}

const verdict = (ok: boolean) => (ok ? '**met**' : '**not met**');
