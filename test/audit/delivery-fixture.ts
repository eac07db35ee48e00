import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll } from 'vitest';
import { contactRequests, emulatorContacts, requestEvents } from '../../db/schema.js';
import { callBudgetOf } from '../../src/audit/budget.js';
import { createDelivery, type DeliveryOptions } from '../../src/audit/delivery.js';
import { recordRequest, type RequestRow } from '../../src/audit/requests.js';
import type { Contact } from '../../src/contact/contact.js';
import type { Db } from '../../src/database.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { koreClient, type ContactsClient } from '../../src/kore/client.js';
import type { KoreIdentity } from '../../src/kore/endpoint.js';
import { createLogger } from '../../src/log.js';
import { contact, freshIndianNumber, loopback, reply, type Loopback, type Received } from '../kore/loopback.js';
import type { TestDatabase, TestTarget } from '../support/databases.js';

/** A call an endpoint holds until the test answers it. */
export interface HeldCall {
  res: ServerResponse;
  req: IncomingMessage;
  received: Received;
}

export const identity: KoreIdentity = {
  streamId: 'st-delivery',
  accountId: 'acc-delivery',
  clientId: 'cs-delivery',
  clientSecret: 'delivery-test-secret-0123456789abcdef',
  enforceJti: false,
};

/** What the hooks were told, in order. */
export function recorder() {
  const queued: RequestRow[] = [];
  const settled: RequestRow[] = [];
  return {
    queued,
    settled,
    hooks: {
      onQueued: async (row: RequestRow) => void queued.push(row),
      onSettled: async (row: RequestRow) => void settled.push(row),
    },
  };
}

export async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

let keys = 0;
/** Starts the worker, lets it poll until `check` holds, and stops it. */
export async function runUntil(
  worker: { start(): void; stop(graceMs: number): Promise<void> },
  what: string,
  check: () => Promise<boolean>,
): Promise<void> {
  worker.start();
  try {
    await waitFor(what, check);
  } finally {
    await worker.stop(5_000);
  }
}

export async function record(db: Db, person: Contact): Promise<RequestRow> {
  keys += 1;
  const { row } = await recordRequest(db, {
    idempotencyKey: `delivery-${keys}-${Math.random()}`,
    userId: 'U0AGENT',
    source: 'slash',
    reply: { kind: 'modal', viewId: 'V-delivery' },
    contact: person,
  });
  return row;
}

export function someone(name = 'Meera Pillai', phone = freshIndianNumber()): Contact {
  const [firstName, lastName] = name.split(' ');
  return contact({ firstName, lastName, phone });
}

/**
 * A database with the emulator on it, and endpoints and workers made for one test file: the hooks are registered in
 * the calling `describe`, so `db`, `emulator` and `toEmulator` are there once its tests run.
 */
export function deliveryFixture(target: TestTarget) {
  let database: TestDatabase;
  let db: Db;
  let emulator: Emulator;
  let toEmulator: ContactsClient;
  const logLines: string[] = [];
  const log = createLogger('debug', 'delivery-test', (line) => void logLines.push(line));
  const servers: Loopback[] = [];

  let budgets = 0;
  function delivery(contacts: ContactsClient, hooks: DeliveryOptions['hooks'], overrides: Partial<DeliveryOptions> = {}) {
    // A budget of its own, which these tests do not reach unless they bring one (a rate-limit answer spends it).
    const budget = callBudgetOf(db, { accountId: `acc-${++budgets}`, callsPerMinute: 100_000 });
    return createDelivery(db, { contacts, budget, hooks, log, deadlineMs: 60 * 60_000, maxBackoffMs: 100, ...overrides });
  }

  async function endpoint(answer: Parameters<typeof loopback>[0]): Promise<ContactsClient> {
    const server = await loopback(answer);
    servers.push(server);
    return koreClient({ host: server.url, ...identity }, { defaultExtension: '+' });
  }

  /** An endpoint that holds each call until the test answers it. */
  async function heldEndpoint() {
    const calls: HeldCall[] = [];
    const server = await loopback((res, req, received) => void calls.push({ res, req, received }));
    servers.push(server);
    return {
      contacts: koreClient({ host: server.url, ...identity }, { defaultExtension: '+' }),
      async next() {
        await waitFor('a call to arrive', async () => calls.length > 0);
        return calls.shift()!;
      },
    };
  }

  /** Passes a held call on to the emulator; returns what it answered. */
  async function relay({ req, received }: HeldCall): Promise<{ status: number; body: unknown }> {
    const answer = await fetch(`${emulator.url}${received.url}`, {
      method: 'POST',
      headers: { auth: String(req.headers.auth), accountId: String(req.headers.accountid), 'Content-Type': 'application/json' },
      body: received.body,
    });
    return { status: answer.status, body: await answer.json() };
  }

  /** Answers a held call with what the emulator answers it. */
  async function forward(call: HeldCall): Promise<void> {
    const { status, body } = await relay(call);
    reply(status, body)(call.res);
  }

  async function pendingCount(): Promise<number> {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(contactRequests).where(eq(contactRequests.status, 'pending'));
    return row!.n;
  }

  /** Settles whatever earlier tests left pending, so a polling worker sees only this test's rows. */
  async function settleLeftovers(): Promise<void> {
    await db.update(contactRequests).set({ status: 'failed' }).where(eq(contactRequests.status, 'pending'));
  }

  async function events(id: number) {
    return db.select().from(requestEvents).where(eq(requestEvents.requestId, id)).orderBy(asc(requestEvents.id));
  }

  async function eventKinds(id: number): Promise<string[]> {
    return (await events(id)).map((e) => e.kind);
  }

  async function emulatorContact(id: string) {
    const [row] = await db.select().from(emulatorContacts).where(eq(emulatorContacts.id, id));
    return row;
  }

  beforeAll(async () => {
    database = await target.open();
    db = database.db;
    emulator = await startEmulator({ db, identity });
    toEmulator = koreClient({ host: emulator.url, ...identity }, { defaultExtension: '+' });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await emulator?.close();
    await database?.close();
  });

  return {
    get db() {
      return db;
    },
    get emulator() {
      return emulator;
    },
    get toEmulator() {
      return toEmulator;
    },
    logLines,
    /** Loopback servers to close when the file is done. */
    servers,
    delivery,
    endpoint,
    heldEndpoint,
    relay,
    forward,
    pendingCount,
    settleLeftovers,
    events,
    eventKinds,
    emulatorContact,
  };
}
