import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

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

/** Signs a body the way Slack does (v0 HMAC-SHA256 over `v0:timestamp:body`). */
export function slackSignature(secret: string, body: string, timestamp: number): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Posts a signed form body to `/slack/events` as Slack would. */
export function postSigned(eventsUrl: string, secret: string, form: Record<string, string>, agent?: Agent): Promise<Reply> {
  const body = new URLSearchParams(form).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  return httpRequest(eventsUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(secret, body, timestamp),
    },
    body,
    ...(agent ? { agent } : {}),
  });
}

let triggers = 0;

/** `/addcontact` with no text, as Slack posts it. */
export function slashCommand(userId = 'U1'): Record<string, string> {
  triggers += 1;
  return {
    token: 'legacy',
    team_id: 'T1',
    team_domain: 'acme',
    channel_id: 'C1',
    channel_name: 'support',
    user_id: userId,
    user_name: 'agent',
    command: '/addcontact',
    text: '',
    api_app_id: 'A1',
    response_url: 'https://hooks.slack.invalid/commands/1',
    trigger_id: `bench-trigger-${triggers}-${Date.now()}`,
  };
}

/** A `view_submission` of the contact modal with these values (shape of Slack's `view.state.values`). */
export function modalSubmission(
  v: { salutation: string; firstName: string; lastName: string; country: string; phone: string },
  viewId: string,
  userId = 'U1',
): Record<string, string> {
  const text = (id: string, value: string | null) => ({ [id]: { [id]: { type: 'plain_text_input', value } } });
  const select = (id: string, type: string, value: string) => ({
    [id]: { [id]: { type, selected_option: { text: { type: 'plain_text', text: value }, value } } },
  });
  const payload = {
    type: 'view_submission',
    team: { id: 'T1', domain: 'acme' },
    user: { id: userId, username: 'agent', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: 'trigger-submit',
    view: {
      id: viewId,
      team_id: 'T1',
      type: 'modal',
      callback_id: 'add_contact',
      private_metadata: JSON.stringify({ source: 'slash' }),
      state: {
        values: {
          ...select('salutation', 'static_select', v.salutation),
          ...text('first_name', v.firstName),
          ...text('last_name', v.lastName),
          ...select('country', 'external_select', v.country),
          ...text('phone_number', v.phone),
          ...text('extension', null),
        },
      },
      hash: 'h',
      app_id: 'A1',
      bot_id: 'B1',
    },
  };
  return { payload: JSON.stringify(payload) };
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
