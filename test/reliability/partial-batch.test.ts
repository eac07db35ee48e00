import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { recordRequest, type RequestRow } from '../../src/audit/requests.js';
import { validateContact } from '../../src/contact/validate.js';
import type { Db } from '../../src/database.js';
import { startTestBot } from '../support/bot.js';
import { testTargets, type TestTarget } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { requestsFor, sleep, startEndpoint, startFaultProxy, type Endpoint, type ProxyCall } from './harness.js';

// Real processes and real databases on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

/** Generous enough that a loaded machine never times out a call the proxy passes straight through. */
const NORMAL = { KORE_TIMEOUT_SECONDS: '5', DELIVERY_LEASE_SECONDS: '15' };
/** Longer than a poll (1 s): nothing more may arrive after the outcome. */
const QUIET_MS = 1_300;

/** Two requests delivered in one call, to an endpoint that created (and answered for) only the first. */
interface PartialBatch {
  calls: ProxyCall[];
  rows: RequestRow[];
  stored: { id: string; phoneE164: string }[];
}

async function observePartialBatch(target: TestTarget, endpoint: Endpoint): Promise<PartialBatch> {
  const numbers = ['+919876510021', '+919876510022'];
  const slack = await startFakeSlack();
  let partialDone = false;
  const proxy = await startFaultProxy(endpoint.emulator.url, (call) => {
    if (!partialDone && call.numbers.length > 1) {
      partialDone = true;
      return { kind: 'partial' };
    }
    return { kind: 'pass' };
  });
  const bot = await startTestBot(target, slack, { ...endpoint.env(proxy.url), ...NORMAL });
  try {
    // Both recorded in one transaction, so the worker's next poll takes them as one batch.
    await bot.database.db.transaction(async (tx) => {
      for (const [i, e164] of numbers.entries()) {
        const checked = validateContact({ firstName: 'Partial', lastName: `Batch ${i}`, phone: e164 }, 'IN');
        if (!checked.ok) throw new Error('invalid test number');
        await recordRequest(tx as unknown as Db, {
          idempotencyKey: `partial-${i}`,
          userId: `UPART${i}`,
          source: 'cli',
          reply: { kind: 'cli' },
          contact: checked.contact,
        });
      }
    });
    await eventually(
      async () => {
        const rows = (await Promise.all(numbers.map((n) => requestsFor(bot.database.db, n)))).flat();
        return rows.length === 2 && rows.every((r) => r.status !== 'pending') ? true : undefined;
      },
      20_000,
      'both settled',
    );
    await sleep(QUIET_MS);
    return {
      calls: proxy.calls,
      rows: (await Promise.all(numbers.map((n) => requestsFor(bot.database.db, n)))).flat(),
      stored: (await Promise.all(numbers.map((n) => endpoint.contacts(n)))).flat(),
    };
  } finally {
    await bot.close();
    await proxy.close();
    await slack.close();
  }
}

describe.each(testTargets())('a batch answered in part, on $name', (target) => {
  let endpoint: Endpoint;
  let partial: Promise<PartialBatch>;
  beforeAll(async () => {
    endpoint = await startEndpoint(target);
    partial = observePartialBatch(target, endpoint);
    partial.catch(() => {}); // reported by the test that awaits it
  });
  afterAll(async () => {
    const p = await partial.catch(() => undefined);
    const figures = {
      target: target.name,
      calls: p?.calls.map((c) => c.numbers.length),
      rows: p?.rows.map((r) => `${r.status}:${r.contactId}`),
      stored: p?.stored.map((c) => c.id),
    };
    console.info(`[partial-batch] ${JSON.stringify(figures)}`);
    await endpoint?.close();
  });

  // When the endpoint answers a batch with fewer contacts than it was sent, a request whose contact is not in the
  // answer must not be settled `created` with another request's contact id.
  it('a batch answered for only some of its contacts: no request is settled created with a contact that is not its own', async () => {
    const p = await partial;
    expect(p.calls[0]!.numbers).toHaveLength(2);
    const byId = new Map(p.stored.map((c) => [c.id, c.phoneE164]));
    const wrong = p.rows.filter((r) => r.status === 'created' && byId.get(r.contactId ?? '') !== r.phoneE164);
    expect(
      wrong.map((r) => `${r.phoneE164} settled created with ${r.contactId} (${byId.get(r.contactId ?? '') ?? 'no such contact'})`),
    ).toEqual([]);
    // …and both contacts end up created, once each.
    expect(p.stored.map((c) => c.phoneE164).sort()).toEqual(['+919876510021', '+919876510022']);
  });
});
