import { type Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { slackSignature } from '../../test/support/slack-requests.js';

/** A whole HTTP answer. */
export interface Reply {
  status: number;
  body: string;
}

/** One HTTP exchange on node:http (lighter than fetch, so the load generator costs less than the servers). */
export function httpRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    const req = request(url, { method: init.method ?? 'GET', headers, agent: init.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(init.timeoutMs ?? 30_000, () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Posts a signed form body to `/slack/events` as Slack would. */
export function postSigned(eventsUrl: string, secret: string, form: Record<string, string>, agent?: Agent): Promise<Reply> {
  return postSignedBody(eventsUrl, secret, 'application/x-www-form-urlencoded', new URLSearchParams(form).toString(), agent);
}

/** What a closed-loop run measured. */
export interface LoopResult {
  latencies: number[];
  errors: number;
  elapsedMs: number;
}

/**
 * `concurrency` workers each send one request, wait for its whole answer, and send the next, until
 * `durationMs` has passed. `ok` decides whether an answer counts as a success.
 */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  send: () => Promise<Reply>,
  ok: (reply: Reply) => boolean = (r) => r.status === 200,
): Promise<LoopResult> {
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const reply = await send();
        if (ok(reply)) latencies.push(performance.now() - t0);
        else errors += 1;
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, errors, elapsedMs: performance.now() - start };
}

/** Posts a signed JSON body (an Events API callback) to `/slack/events` as Slack would. */
export function postSignedJson(eventsUrl: string, secret: string, body: unknown, agent?: Agent): Promise<Reply> {
  return postSignedBody(eventsUrl, secret, 'application/json', JSON.stringify(body), agent);
}

function postSignedBody(eventsUrl: string, secret: string, contentType: string, body: string, agent?: Agent): Promise<Reply> {
  const timestamp = Math.floor(Date.now() / 1000);
  return httpRequest(eventsUrl, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(secret, body, timestamp),
    },
    body,
    ...(agent ? { agent } : {}),
  });
}
