import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq, inArray } from 'drizzle-orm';
import { jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { emulatorContacts } from '../../db/schema.js';
import type { Db } from '../database.js';
import type { KoreIdentity } from '../kore/endpoint.js';
import { readBody } from '../read-body.js';

/** A running emulator. */
export interface Emulator {
  url: string;
  close(): Promise<void>;
}

const digits = z.string().regex(/^\d{4,17}$/, 'must be 4 to 17 digits without spaces or symbols');
const Body = z
  .array(
    z.object({
      firstName: z.string().trim().min(1, 'is required'),
      lastName: z.string().trim().min(1, 'is required'),
      salutation: z.string(),
      cellPhone: z.object({
        phoneNumber: digits,
        countryCode: z.string().regex(/^\+\d{1,3}$/, 'must look like +91'),
        extension: z.string(),
      }),
    }),
  )
  .min(1, 'must hold at least one contact')
  .max(100, 'must hold at most 100 contacts');

const MAX_BODY = 1 << 20;

/** Starts the contacts endpoint of docs/contacts-endpoint.md on loopback (or `host`), storing contacts in `db`. */
export async function startEmulator(opts: {
  db: Db;
  /** Who it accepts calls from. */
  identity: KoreIdentity;
  port?: number;
  host?: string;
}): Promise<Emulator> {
  const { db, identity } = opts;
  const key = new TextEncoder().encode(identity.clientSecret);
  const path = `/agentassist/api/v1/public/${encodeURIComponent(identity.streamId)}/contacts`;
  const seenJti = new Set<string>();
  const orgId = `o-${randomUUID()}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (!url.pathname.endsWith('/contacts') || !url.pathname.startsWith('/agentassist/api/v1/public/')) {
      return send(res, 404, errors('Not found', '404'));
    }
    if (req.method !== 'POST') return send(res, 405, errors('Method not allowed', '405'));
    if (url.pathname !== path) return send(res, 404, errors('Bot not found for this streamId', 'NOT_FOUND'));

    const auth = req.headers.auth;
    if (typeof auth !== 'string') return send(res, 401, errors('auth header is missing', 'UNAUTHORIZED'));
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(auth, key, { algorithms: ['HS256'] }));
    } catch {
      return send(res, 401, errors('Invalid or expired JWT', 'UNAUTHORIZED'));
    }
    if (payload.appId !== identity.clientId) return send(res, 401, errors('Unknown appId', 'UNAUTHORIZED'));
    if (identity.enforceJti) {
      if (typeof payload.jti !== 'string' || seenJti.has(payload.jti)) {
        return send(res, 401, errors('JWT jti already used', 'UNAUTHORIZED'));
      }
      seenJti.add(payload.jti);
    }
    if (req.headers.accountid !== identity.accountId) {
      return send(res, 403, errors('accountId does not match this app', 'FORBIDDEN'));
    }

    const raw = (await readBody(req, MAX_BODY))?.toString('utf8');
    if (raw === undefined) {
      res.setHeader('connection', 'close');
      return send(res, 413, errors('Body too large', 'PAYLOAD_TOO_LARGE'));
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return send(res, 400, errors('Body is not JSON', 'BAD_REQUEST'));
    }
    const body = Body.safeParse(json);
    if (!body.success) {
      const messages = body.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`);
      return send(res, 400, { errors: messages.map((msg) => ({ msg, code: 'BAD_REQUEST' })) });
    }

    const rows = body.data.map((c) => ({
      id: `c-${randomUUID()}`,
      streamId: identity.streamId,
      accountId: identity.accountId,
      createdBy: `u-${identity.clientId}`,
      salutation: c.salutation,
      firstName: c.firstName,
      lastName: c.lastName,
      phoneE164: c.cellPhone.countryCode + c.cellPhone.phoneNumber,
      countryCode: c.cellPhone.countryCode,
      extension: c.cellPhone.extension,
    }));
    const numbers = rows.map((r) => r.phoneE164);
    const repeated = numbers.find((n, i) => numbers.indexOf(n) !== i);
    if (repeated) return send(res, 409, duplicate(repeated));
    try {
      const created = await db.insert(emulatorContacts).values(rows).returning();
      send(
        res,
        200,
        created.map((row) => view(row, orgId)),
      );
    } catch (error) {
      const taken = await takenNumber(db, identity.streamId, numbers);
      if (taken) return send(res, 409, duplicate(taken));
      throw error;
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, errors('Internal error', 'INTERNAL')));
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

async function takenNumber(db: Db, streamId: string, numbers: string[]): Promise<string | undefined> {
  const [row] = await db
    .select({ phone: emulatorContacts.phoneE164 })
    .from(emulatorContacts)
    .where(and(eq(emulatorContacts.streamId, streamId), inArray(emulatorContacts.phoneE164, numbers)))
    .limit(1);
  return row?.phone;
}

function view(row: typeof emulatorContacts.$inferSelect, orgId: string) {
  const at = row.createdAt.toISOString();
  return {
    id: row.id,
    status: 'ACTIVE',
    firstName: row.firstName,
    lastName: row.lastName,
    salutation: row.salutation,
    cellPhone: { phoneNumber: row.phoneE164, countryCode: row.countryCode, extension: row.extension },
    createdBy: row.createdBy,
    orgId,
    accountId: row.accountId,
    instanceBotId: row.streamId,
    fullName: `${row.firstName} ${row.lastName}`,
    createdAt: at,
    updatedAt: at,
  };
}

function errors(msg: string, code: string) {
  return { errors: [{ msg, code }] };
}

function duplicate(phone: string) {
  return errors(`A contact with phone number ${phone} already exists`, 'DUPLICATE_PHONE_NUMBER');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
