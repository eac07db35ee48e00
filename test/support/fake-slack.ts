import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** One Web API call the app made. */
export interface SlackCall {
  method: string;
  token: string | undefined;
  args: Record<string, unknown>;
  /** When the fake received it (`Date.now()`). */
  at: number;
}

/** How the fake fails a method (see `FakeSlack.fault`). */
export type SlackFaultKind = 'unavailable' | 'silent' | { error: string };

/** A stand-in for Slack's Web API on loopback: records every call and answers like Slack. */
export interface FakeSlack {
  /** `SLACK_API_URL` for the app. */
  url: string;
  calls: SlackCall[];
  /**
   * The files the app uploaded, by file id: the bytes it POSTed to the `upload_url` that `files.getUploadURLExternal`
   * gave it (on this fake, `/upload/<file id>`).
   */
  uploads: Map<string, Buffer>;
  /** Resolves with the first call (past or future) of `method` that matches. */
  waitFor(method: string, match?: (call: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall>;
  /** Serves a raw file at `/files/<name>` to requests bearing `token`. */
  serveFile(name: string, content: string | Buffer, token: string): string;
  /**
   * From now on answers `method` with HTTP 503 (`unavailable`), not at all (`silent`), or with Slack's `{ ok: false, error }`;
   * `undefined` ends that. Calls are still recorded.
   */
  fault(method: string, how: SlackFaultKind | undefined): void;
  /**
   * Streams `bytes` bytes at `/files/<name>` to requests bearing `token`, with no length given (a file larger than it
   * claims), only as fast as the reader takes them. `ended` says whether the reader took it all before the connection closed.
   */
  serveStream(name: string, bytes: number, token: string): { url: string; ended: Promise<{ complete: boolean; sent: number }> };
  /** Sends a Socket Mode envelope to the connected app and resolves with its acknowledgement's payload. */
  sendEnvelope(type: string, payload: unknown, timeoutMs?: number): Promise<unknown>;
  close(): Promise<void>;
}

function parseArgs(raw: string, type: string | undefined): Record<string, unknown> {
  if (type?.includes('application/json')) return JSON.parse(raw || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    try {
      args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
    } catch {
      args[key] = value;
    }
  }
  return args;
}

function answer(method: string, args: Record<string, unknown>, base: string, fileIds: () => string): Record<string, unknown> {
  switch (method) {
    case 'files.getUploadURLExternal': {
      const fileId = fileIds();
      return { ok: true, upload_url: `${base}/upload/${fileId}`, file_id: fileId };
    }
    case 'files.completeUploadExternal':
      return {
        ok: true,
        files: ((args.files ?? []) as { id: string; title?: string }[]).map((f) => ({ id: f.id, title: f.title, name: f.title })),
      };
    case 'apps.connections.open':
      return { ok: true, url: `${base.replace(/^http/, 'ws')}/socket` };
    case 'views.open':
    case 'views.update':
    case 'views.push':
      return { ok: true, view: { id: `V${Math.random().toString(36).slice(2, 10).toUpperCase()}`, ...(args.view as object) } };
    case 'chat.postMessage':
      return { ok: true, channel: args.channel, ts: `${Date.now() / 1000}`, message: { text: args.text } };
    case 'auth.test':
      return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' };
    default:
      return { ok: true };
  }
}

async function readBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function read(req: IncomingMessage): Promise<string> {
  return (await readBytes(req)).toString('utf8');
}

/** A file's bytes as the Web API client POSTs them to an upload URL: a multipart form's file, or the raw body. */
async function uploadedBytes(req: IncomingMessage): Promise<Buffer> {
  const body = await readBytes(req);
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) return body;
  const form = await new Response(body, { headers: { 'content-type': type } }).formData();
  const file = [...form.values()].find((value) => typeof value !== 'string');
  return file && typeof file !== 'string' ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0);
}

/** Starts the fake Web API on 127.0.0.1. */
export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const waiters: { method: string; match: (c: SlackCall) => boolean; resolve: (c: SlackCall) => void }[] = [];
  const files = new Map<string, { content: string | Buffer; token: string }>();
  const faults = new Map<string, SlackFaultKind>();
  const completed = new Set<string>();
  const streams = new Map<string, { bytes: number; token: string; ended: (seen: { complete: boolean; sent: number }) => void }>();
  const uploads = new Map<string, Buffer>();
  let uploaded = 0;
  const fileIds = () => `F${String(++uploaded).padStart(6, '0')}`;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://slack');
      const auth = req.headers.authorization?.replace(/^Bearer /, '');
      const stream = streams.get(url.pathname.slice('/files/'.length));
      if (stream && auth === stream.token) {
        let sent = 0;
        const chunk = Buffer.alloc(16 * 1024, 'BEGIN:VCARD\r\nNOTE:padding\r\n');
        res.on('close', () => stream.ended({ complete: res.writableFinished, sent }));
        res.writeHead(200, { 'content-type': 'text/vcard' });
        const pump = (): void => {
          while (sent < stream.bytes) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      if (url.pathname.startsWith('/upload/')) {
        uploads.set(url.pathname.slice('/upload/'.length), await uploadedBytes(req));
        return res.writeHead(200, { 'content-type': 'text/plain' }).end('OK - 1');
      }
      if (url.pathname.startsWith('/files/')) {
        const file = files.get(url.pathname.slice('/files/'.length));
        if (!file || auth !== file.token) return res.writeHead(404).end('not found');
        return res.writeHead(200, { 'content-type': 'text/vcard' }).end(file.content);
      }
      const method = url.pathname.replace(/^\/(api\/)?/, '');
      const args = parseArgs(await read(req), req.headers['content-type']);
      const call = { method, token: auth ?? (args.token as string | undefined), args, at: Date.now() };
      calls.push(call);
      for (const w of [...waiters]) {
        if (w.method === method && w.match(call)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(call);
        }
      }
      const fault = faults.get(method);
      if (fault === 'silent') return;
      if (!fault && method.startsWith('functions.complete')) {
        // As Slack does: an execution is completed once; a second completion finds it no longer running.
        const execution = String(args.function_execution_id);
        const again = completed.has(execution);
        completed.add(execution);
        if (again)
          return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":false,"error":"execution_not_in_running_state"}');
      }
      if (fault === 'unavailable')
        return res.writeHead(503, { 'content-type': 'application/json' }).end('{"ok":false,"error":"service_unavailable"}');
      if (fault) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: fault.error }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(method, args, base, fileIds)));
    })();
  });
  const sockets = new WebSocketServer({ server, path: '/socket' });
  let socket: WebSocket | undefined;
  sockets.on('connection', (ws) => {
    socket = ws;
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A1' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/api/`,
    calls,
    uploads,
    waitFor(method, match = () => true, timeoutMs = 10_000) {
      const seen = calls.find((c) => c.method === method && match(c));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${method} call matched within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          method,
          match,
          resolve: (c) => {
            clearTimeout(timer);
            resolve(c);
          },
        });
      });
    },
    serveFile(name, content, token) {
      files.set(name, { content, token });
      return `${base}/files/${name}`;
    },
    fault(method, how) {
      if (how) faults.set(method, how);
      else faults.delete(method);
    },
    serveStream(name, bytes, token) {
      let ended!: (seen: { complete: boolean; sent: number }) => void;
      const seen = new Promise<{ complete: boolean; sent: number }>((resolve) => (ended = resolve));
      streams.set(name, { bytes, token, ended });
      return { url: `${base}/files/${name}`, ended: seen };
    },
    sendEnvelope(type, payload, timeoutMs = 10_000) {
      const ws = socket;
      if (!ws) return Promise.reject(new Error('no Socket Mode connection'));
      const id = `env-${Math.random().toString(36).slice(2)}`;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`envelope ${type} not acknowledged`)), timeoutMs);
        ws.on('message', function onAck(data) {
          const ack = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
          if (ack.envelope_id !== id) return;
          ws.off('message', onAck);
          clearTimeout(timer);
          resolve(ack.payload);
        });
        ws.send(JSON.stringify({ envelope_id: id, type, payload, accepts_response_payload: true }));
      });
    },
    close: async () => {
      // Close the sockets as Slack does, with a close handshake: cutting them off leaves the app's Socket Mode client
      // to log a WebSocket error, a real alarm in production and false noise here.
      await Promise.all([...sockets.clients].map((client) => closeGracefully(client)));
      sockets.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Sends a close frame and waits for the peer's answer; a peer that never answers is cut off after a while. */
function closeGracefully(client: WebSocket): Promise<void> {
  if (client.readyState === client.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const cutOff = setTimeout(() => client.terminate(), 2_000);
    client.once('close', () => {
      clearTimeout(cutOff);
      resolve();
    });
    client.close(1001, 'going away');
  });
}
