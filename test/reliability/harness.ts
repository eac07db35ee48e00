import { randomBytes } from 'node:crypto';
import { request as httpRequest, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { asc, eq, sql } from 'drizzle-orm';
import { contactRequests, emulatorContacts, requestEvents } from '../../db/schema.js';
import type { RequestRow } from '../../src/audit/requests.js';
import type { Db } from '../../src/database.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import type { KoreIdentity } from '../../src/kore/endpoint.js';
import type { TestDatabase, TestTarget } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import type { FakeSlack, SlackCall } from '../support/fake-slack.js';
import { slackSignature } from '../support/slack-requests.js';

// ---------------------------------------------------------------------------------------------------------------
// The contacts endpoint: the built-in emulator on a database of its own, and the KORE_* settings that reach it.
// ---------------------------------------------------------------------------------------------------------------

/** An emulator of the contacts endpoint on its own scratch database of `target`. */
export interface Endpoint {
  identity: KoreIdentity;
  emulator: Emulator;
  database: TestDatabase;
  /** The KORE_* settings for an app that should call `host` (the emulator itself, or a proxy in front of it). */
  env(host?: string, overrides?: Record<string, string>): Record<string, string>;
  /** Contacts the emulator holds for this number (E.164), or all of them. */
  contacts(e164?: string): Promise<(typeof emulatorContacts.$inferSelect)[]>;
  close(): Promise<void>;
}

/** Starts the emulator on a scratch database of `target`; `callsPerMinute` tightens its rate limit (the vendor's 60). */
export async function startEndpoint(target: TestTarget, opts: { callsPerMinute?: number } = {}): Promise<Endpoint> {
  const identity: KoreIdentity = {
    streamId: 'st-reliability',
    accountId: 'acct-reliability',
    clientId: 'cs-reliability',
    clientSecret: `kore-client-secret-${randomBytes(12).toString('hex')}`,
    enforceJti: false,
  };
  const database = await target.open();
  const emulator = await startEmulator({ db: database.db, identity, ...opts });
  return {
    identity,
    emulator,
    database,
    env: (host = emulator.url, overrides = {}) => ({
      KORE_HOST: host,
      KORE_STREAM_ID: identity.streamId,
      KORE_ACCOUNT_ID: identity.accountId,
      KORE_CLIENT_ID: identity.clientId,
      KORE_CLIENT_SECRET: identity.clientSecret,
      ...overrides,
    }),
    contacts: (e164) =>
      database.db
        .select()
        .from(emulatorContacts)
        .where(e164 ? eq(emulatorContacts.phoneE164, e164) : undefined),
    close: async () => {
      await emulator.close();
      await database.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A fault-injecting loopback proxy in front of the emulator.
// ---------------------------------------------------------------------------------------------------------------

/** What the proxy does with one call. */
export type Fault =
  /** Forward to the emulator (after `delayMs`, if given) and pass its answer back. */
  | { kind: 'pass'; delayMs?: number }
  /** Answer this without calling the emulator. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  /** Reset the TCP connection (RST) without calling the emulator. */
  | { kind: 'reset' }
  /** Forward to the emulator (so the contact IS created), then hold its answer for `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** Forward to the emulator, then never answer (until the proxy closes). */
  | { kind: 'hold' }
  /** Forward only the first contact of the body, and answer with what the emulator said about it (a partial success). */
  | { kind: 'partial' };

/** One call the proxy received. */
export interface ProxyCall {
  n: number;
  /** `POST` (create), `PUT` (update) or `DELETE`, and the path after the stream's `/contacts`: `''` or `/{id}`. */
  method: string;
  path: string;
  /** The body as sent: an array of contacts for a create, one contact for an update, nothing for a delete. */
  body: unknown;
  /** E.164 numbers of the contacts in the body. */
  numbers: string[];
  fault: Fault['kind'];
  receivedAt: number;
  /** The emulator's status, once it answered a forwarded call. */
  upstreamStatus?: number;
  /** When the proxy answered (or reset) the caller. */
  answeredAt?: number;
}

export interface FaultProxy {
  url: string;
  calls: ProxyCall[];
  /** Calls that carried this number. */
  callsFor(e164: string): ProxyCall[];
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 that asks `plan` what to do with each call to the contacts endpoint. */
export async function startFaultProxy(upstream: string, plan: (call: ProxyCall) => Fault): Promise<FaultProxy> {
  const calls: ProxyCall[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function forward(req: IncomingMessage, body: string): Promise<{ status: number; type: string; text: string }> {
    const headers: Record<string, string> = { 'content-type': String(req.headers['content-type'] ?? 'application/json') };
    for (const name of ['auth', 'accountid'] as const) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const res = await fetch(`${upstream}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, body });
    return { status: res.status, type: res.headers.get('content-type') ?? 'application/json', text: await res.text() };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const call: ProxyCall = {
      n: calls.length + 1,
      method: req.method ?? 'POST',
      path: (req.url ?? '').replace(/^.*\/contacts/, ''),
      body: parsed(body),
      numbers: numbersIn(body),
      fault: 'pass',
      receivedAt: Date.now(),
    };
    const fault = plan(call);
    call.fault = fault.kind;
    calls.push(call);
    const answer = (status: number, type: string, text: string, headers: Record<string, string> = {}) => {
      call.answeredAt = Date.now();
      if (!res.destroyed) res.writeHead(status, { 'content-type': type, ...headers }).end(text);
    };
    switch (fault.kind) {
      case 'status':
        return answer(
          fault.status,
          'application/json',
          JSON.stringify(fault.body ?? { errors: [{ msg: `injected ${fault.status}`, code: 'INJECTED' }] }),
          fault.headers,
        );
      case 'reset':
        call.answeredAt = Date.now();
        (req.socket as Socket).resetAndDestroy();
        return;
      case 'pass': {
        if (fault.delayMs) await wait(fault.delayMs);
        const up = await forward(req, body);
        call.upstreamStatus = up.status;
        return answer(up.status, up.type, up.text);
      }
      case 'slow': {
        const up = await forward(req, body);
        call.upstreamStatus = up.status;
        await wait(fault.delayMs);
        return answer(up.status, up.type, up.text);
      }
      case 'hold': {
        const up = await forward(req, body);
        call.upstreamStatus = up.status;
        return; // never answered
      }
      case 'partial': {
        const first = (JSON.parse(body) as unknown[]).slice(0, 1);
        const up = await forward(req, JSON.stringify(first));
        call.upstreamStatus = up.status;
        return answer(up.status, up.type, up.text);
      }
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch(() => {
        if (!res.headersSent && !res.destroyed) res.writeHead(502).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    callsFor: (e164) => calls.filter((c) => c.numbers.includes(e164)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parsed(body: string): unknown {
  try {
    return body === '' ? undefined : (JSON.parse(body) as unknown);
  } catch {
    return body;
  }
}

/** The numbers of a create's contacts, or of an update's one contact. */
function numbersIn(body: string): string[] {
  const json = parsed(body);
  const items = (Array.isArray(json) ? json : json && typeof json === 'object' ? [json] : []) as {
    cellPhone?: { countryCode?: string; phoneNumber?: string };
  }[];
  return items.map((c) => `${c.cellPhone?.countryCode ?? ''}${c.cellPhone?.phoneNumber ?? ''}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Slack: signed requests on fresh connections, and the DMs the fake Web API received.
// ---------------------------------------------------------------------------------------------------------------

/** What one raw request came to. */
export interface Answer {
  status: number;
  body: string;
  /** Set instead of `status` when the connection failed (ECONNREFUSED, ECONNRESET, …). */
  error?: string;
  ms: number;
}

/**
 * POSTs `body` on a connection of its own (no keep-alive pool), so a server that closes a connection (after a 413,
 * or while shutting down) cannot make a later request fail on a reused socket.
 */
export function rawPost(url: string, body: string | Buffer, headers: Record<string, string>, timeoutMs = 15_000): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = httpRequest(
      url,
      { method: 'POST', agent: false, headers: { ...headers, connection: 'close', 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started }),
        );
        res.on('error', (error) => resolve({ status: res.statusCode ?? 0, body: '', error: String(error), ms: Date.now() - started }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: 0, body: '', error: error.code ?? error.message, ms: Date.now() - started }),
    );
    req.end(body);
  });
}

/** GET on a fresh connection. */
export function rawGet(url: string, timeoutMs = 5_000): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'GET', agent: false, headers: { connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: 0, body: '', error: error.code ?? error.message, ms: Date.now() - started }),
    );
    req.end();
  });
}

/** Slack's signature headers for a raw body. */
export function signedHeaders(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, body, timestamp),
  };
}

/** POSTs a signed form (fields URL-encoded as Slack does) on a fresh connection. */
export function postSignedRaw(url: string, secret: string, form: Record<string, string>, timeoutMs?: number): Promise<Answer> {
  const body = new URLSearchParams(form).toString();
  return rawPost(url, body, signedHeaders(secret, body), timeoutMs);
}

/** What a Slack fault proxy answers instead of forwarding. */
export interface SlackFault {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * A proxy in front of the fake Slack Web API (use its `url` as SLACK_API_URL): `plan` sees each call (method and
 * arguments) and may answer it with a fault instead; everything else is forwarded, so the fake Slack records it.
 */
export async function startSlackFaults(slack: FakeSlack, plan: (method: string, args: Record<string, unknown>) => SlackFault | undefined) {
  const faulted: { method: string; args: Record<string, unknown>; at: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const type = String(req.headers['content-type'] ?? '');
        const args: Record<string, unknown> = type.includes('json')
          ? (JSON.parse(raw || '{}') as Record<string, unknown>)
          : Object.fromEntries(new URLSearchParams(raw));
        const method = (req.url ?? '/').replace(/^\/(api\/)?/, '');
        const fault = plan(method, args);
        if (fault) {
          faulted.push({ method, args, at: Date.now() });
          res
            .writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers })
            .end(JSON.stringify(fault.body ?? { ok: false, error: 'injected' }));
          return;
        }
        const headers: Record<string, string> = { 'content-type': type };
        if (typeof req.headers.authorization === 'string') headers.authorization = req.headers.authorization;
        const up = await fetch(`${slack.url}${method}`, { method: 'POST', headers, body: raw });
        res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' }).end(await up.text());
      })().catch(() => {
        if (!res.headersSent) res.writeHead(502).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    faulted,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What the user was told by DM, in order. */
export function dmsTo(slack: FakeSlack, userId: string): SlackCall[] {
  return slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === userId);
}

export const TITLES = {
  queued: 'Your contact is queued',
  created: 'Contact created',
  duplicate: 'That number is already a contact',
  failed: 'The contact could not be created',
  unauthorized: 'The bot is misconfigured',
} as const;

export function dmText(call: SlackCall): string {
  return String(call.args.text ?? '');
}

// ---------------------------------------------------------------------------------------------------------------
// The audit trail.
// ---------------------------------------------------------------------------------------------------------------

export async function requestsFor(db: Db, e164: string): Promise<RequestRow[]> {
  return db.select().from(contactRequests).where(eq(contactRequests.phoneE164, e164)).orderBy(asc(contactRequests.id));
}

/** How many requests still wait for an outcome. */
export async function pendingCount(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(contactRequests).where(eq(contactRequests.status, 'pending'));
  return row!.n;
}

export async function eventsOf(db: Db, requestId: number) {
  return db.select().from(requestEvents).where(eq(requestEvents.requestId, requestId)).orderBy(asc(requestEvents.id));
}

/** Waits until the one request for this number is settled and its outcome DM is noted; returns the row. */
export async function settledRequest(db: Db, e164: string, timeoutMs = 20_000): Promise<RequestRow> {
  const row = await eventually(
    async () => {
      const [r] = await requestsFor(db, e164);
      return r && r.status !== 'pending' ? r : undefined;
    },
    timeoutMs,
    `request for ${e164} settled`,
  );
  await eventually(
    async () =>
      (await eventsOf(db, row.id)).some((e) => e.kind === 'notified' && (e.detail as { what?: string }).what === row.status)
        ? true
        : undefined,
    5_000,
    `user told the outcome of ${e164}`,
  );
  return row;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
