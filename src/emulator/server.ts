import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify, type JWTPayload } from 'jose';
import type { Db } from '../database.js';
import type { KoreIdentity } from '../kore/endpoint.js';
import { readBody } from '../read-body.js';
import { type Answer, errors, notFound, rateLimited, send } from './answers.js';
import { contactStore } from './contacts.js';
import { callWindow } from './rate-limit.js';

/** A running emulator. */
export interface Emulator {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

/** `/agentassist/api/v1/public/{streamId}/contacts`, optionally `/{contactId}`. */
const CONTACTS_PATH = /^\/agentassist\/api\/v1\/public\/([^/]+)\/contacts(?:\/([^/]+))?$/;

/** The vendor's limit: calls per rolling minute per account. */
export const VENDOR_CALLS_PER_MINUTE = 60;

/** Starts the contacts endpoint of docs/contacts-endpoint.md on loopback (or `host`), storing contacts in `db`. */
export async function startEmulator(opts: {
  db: Db;
  /** Who it accepts calls from. */
  identity: KoreIdentity;
  port?: number;
  host?: string;
  /** Calls allowed per rolling minute per account (the vendor's 60 unless a test says otherwise). */
  callsPerMinute?: number;
  /** The clock the rate limit's window is kept by (tests move it). */
  now?: () => number;
}): Promise<Emulator> {
  const { identity } = opts;
  const key = new TextEncoder().encode(identity.clientSecret);
  const seenJti = new Set<string>();
  const store = contactStore(opts.db, identity);
  const calls = callWindow({ calls: opts.callsPerMinute ?? VENDOR_CALLS_PER_MINUTE, windowMs: 60_000, now: opts.now ?? Date.now });

  /** Why a call's credentials are refused, if they are. */
  async function refusal(req: IncomingMessage): Promise<Answer | undefined> {
    const auth = req.headers.auth;
    if (typeof auth !== 'string') return errors(401, 'auth header is missing', 'UNAUTHORIZED');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(auth, key, { algorithms: ['HS256'] }));
    } catch {
      return errors(401, 'Invalid or expired JWT', 'UNAUTHORIZED');
    }
    if (payload.appId !== identity.clientId) return errors(401, 'Unknown appId', 'UNAUTHORIZED');
    if (identity.enforceJti) {
      if (typeof payload.jti !== 'string' || seenJti.has(payload.jti)) return errors(401, 'JWT jti already used', 'UNAUTHORIZED');
      seenJti.add(payload.jti);
    }
    if (req.headers.accountid !== identity.accountId) return errors(403, 'accountId does not match this app', 'FORBIDDEN');
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<Answer> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const route = CONTACTS_PATH.exec(url.pathname);
    if (!route) return errors(404, 'Not found', '404');
    // Every call to the API counts against its account, whatever its answer; calls naming another account share one
    // window of their own, so they neither spend ours nor grow memory per made-up account.
    const wait = calls.take(req.headers.accountid === identity.accountId ? identity.accountId : '');
    if (wait !== undefined) return rateLimited(wait);

    const [streamId, contactId] = route.slice(1).map((part) => (part === undefined ? undefined : decoded(part)));
    const method = `${req.method} ${contactId === undefined ? 'contacts' : 'contact'}`;
    if (!ROUTES.has(method)) return errors(405, 'Method not allowed', '405');
    if (streamId !== identity.streamId) return errors(404, 'Bot not found for this streamId', 'NOT_FOUND');
    if (contactId === null) return notFound();
    const refused = await refusal(req);
    if (refused) return refused;

    if (req.method === 'GET') return store.list(url.searchParams);
    if (req.method === 'DELETE') return store.remove(contactId!);
    const raw = (await readBody(req, MAX_BODY))?.toString('utf8');
    if (raw === undefined) {
      res.setHeader('connection', 'close');
      return errors(413, 'Body too large', 'PAYLOAD_TOO_LARGE');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return errors(400, 'Body is not JSON', 'BAD_REQUEST');
    }
    return req.method === 'PUT' ? store.update(contactId!, json) : store.create(json);
  }

  const server = createServer((req, res) => {
    handle(req, res).then(
      (answer) => send(res, answer),
      () => send(res, errors(500, 'Internal error', 'INTERNAL')),
    );
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const ROUTES: ReadonlySet<string> = new Set(['POST contacts', 'GET contacts', 'PUT contact', 'DELETE contact']);

/** A path segment's text, or null when its percent-encoding is broken (no such stream or contact). */
function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
