import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * A lean stand-in for Slack's Web API on loopback: answers every method with `{ ok: true, … }`, counts calls
 * per method and token, and hands each `chat.postMessage` text to `onMessage` with its arrival time. It keeps
 * no call log, so it costs the same on the ten-thousandth call as on the first.
 */
export interface BenchSlack {
  /** `SLACK_API_URL` for an app. */
  url: string;
  /** `method token` → calls. */
  counts: Map<string, number>;
  onMessage: ((text: string, at: number) => void) | undefined;
  /** Each `views.publish`: whose home, and when it arrived. */
  onPublish: ((userId: string, at: number) => void) | undefined;
  /** Each call of another method, with its raw body, when set (the body is read only then). */
  onCall: ((method: string, body: string, at: number) => void) | undefined;
  /** Serves `content` at `/files/<name>`, as Slack's file host would to the bot; returns its URL. */
  serveFile(name: string, content: string): string;
  count(method: string, token?: string): number;
  close(): Promise<void>;
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A string argument of a Web API call, whether it came as JSON or as a form. */
function argument(raw: string, type: string | undefined, name: string): string {
  if (type?.includes('application/json')) {
    const value = (JSON.parse(raw || '{}') as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : '';
  }
  return new URLSearchParams(raw).get(name) ?? '';
}

let views = 0;

function answer(method: string): string {
  switch (method) {
    case 'views.open':
    case 'views.update':
    case 'views.push':
      views += 1;
      return `{"ok":true,"view":{"id":"VBENCH${views}"}}`;
    case 'chat.postMessage':
      return `{"ok":true,"channel":"D1","ts":"${(Date.now() / 1000).toFixed(6)}"}`;
    case 'auth.test':
      return '{"ok":true,"user_id":"UBOT","bot_id":"BBOT","team_id":"T1"}';
    default:
      return '{"ok":true}';
  }
}

export async function startBenchSlack(): Promise<BenchSlack> {
  const counts = new Map<string, number>();
  const files = new Map<string, string>();
  const slack: BenchSlack = {
    url: '',
    counts,
    onMessage: undefined,
    onPublish: undefined,
    onCall: undefined,
    serveFile(name, content) {
      files.set(name, content);
      return `${slack.url.replace(/\/api\/$/, '')}/files/${name}`;
    },
    count(method, token) {
      let total = 0;
      for (const [key, n] of counts) {
        const [m, t] = key.split(' ');
        if (m === method && (token === undefined || t === token)) total += n;
      }
      return total;
    },
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const file = req.url?.startsWith('/files/') ? files.get(req.url.slice('/files/'.length)) : undefined;
    if (file !== undefined) return void res.writeHead(200, { 'content-type': 'text/csv' }).end(file);
    const method = (req.url ?? '/').split('?')[0]!.replace(/^\/(api\/)?/, '');
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '-';
    const key = `${method} ${token}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const reply = () => res.writeHead(200, { 'content-type': 'application/json' }).end(answer(method));
    if (method === 'chat.postMessage') {
      void readText(req).then((raw) => {
        const at = performance.now();
        reply();
        slack.onMessage?.(argument(raw, req.headers['content-type'], 'text'), at);
      });
    } else if (method === 'views.publish') {
      void readText(req).then((raw) => {
        const at = performance.now();
        reply();
        slack.onPublish?.(argument(raw, req.headers['content-type'], 'user_id'), at);
      });
    } else if (slack.onCall) {
      void readText(req).then((raw) => {
        const at = performance.now();
        reply();
        slack.onCall?.(method, raw, at);
      });
    } else {
      req.resume();
      req.on('end', reply);
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  slack.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  slack.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return slack;
}
