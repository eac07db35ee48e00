import { afterAll, describe, it, vi } from 'vitest';
import { SIGNING_SECRET } from '../support/bot.js';
import { openScratch, testTargets, type TestTarget } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { modalSubmission } from '../support/slack-requests.js';
import {
  dmsTo,
  dmText,
  eventsOf,
  postSignedRaw,
  rawGet,
  requestsFor,
  startEndpoint,
  startFaultProxy,
  TITLES,
  type Answer,
} from './harness.js';
import { killAllSpawned, spawnApp } from './processes.js';

// Real processes and real databases on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

/**
 * SIGTERM while a delivery is in flight: the app stops taking requests at once, lets the call finish, settles the
 * request, tells the user, and exits 0 — on the embedded database and on PostgreSQL.
 */

const EXIT_WITHIN_MS = 10_000;

function withinMs<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const figures: Record<string, unknown>[] = [];

describe('safe shutdown', () => {
  afterAll(async () => {
    await killAllSpawned();
    console.info(`[shutdown] ${JSON.stringify(figures)}`);
  });

  it.concurrent.for(testTargets())(
    'SIGTERM with a delivery in flight, on $name: settled, told, refused new work, exit 0',
    async (target: TestTarget, { expect, onTestFinished }) => {
      const e164 = '+919876540001';
      const user = 'USTOP';
      const slack = await startFakeSlack();
      const endpoint = await startEndpoint(target);
      // The first call is answered about a second after the emulator created the contact.
      const proxy = await startFaultProxy(endpoint.emulator.url, (call) =>
        call.n === 1 ? { kind: 'slow', delayMs: 1_000 } : { kind: 'pass' },
      );
      const place = await target.scratch();
      onTestFinished(async () => {
        await proxy.close();
        await endpoint.close();
        await slack.close();
        await place.remove();
      });
      const app = await spawnApp({ ...place.env, ...endpoint.env(proxy.url), SLACK_API_URL: slack.url });

      const accepted = await postSignedRaw(
        app.events,
        SIGNING_SECRET,
        modalSubmission(
          { firstName: 'In', lastName: 'Flight', country: 'IN', phone: '+91 98765 40001' },
          { userId: user, viewId: 'VSTOP' },
        ),
      );
      expect(accepted.status).toBe(200);
      await eventually(async () => (proxy.calls.length > 0 ? true : undefined), 10_000, 'the delivery reached the endpoint');

      app.signal('SIGTERM');
      const signalledAt = Date.now();
      await app.waitForLine((line) => line.includes('"shutting down"'), 5_000);

      // After the signal: no new request is accepted.
      const refused: Answer = await postSignedRaw(
        app.events,
        SIGNING_SECRET,
        modalSubmission({ firstName: 'Too', lastName: 'Late', country: 'IN', phone: '+91 98765 40002' }, { userId: 'ULATE' }),
        5_000,
      );
      expect(refused.error !== undefined || refused.status >= 300, `answered ${refused.status} ${refused.body}`).toBe(true);

      const exit = await withinMs(app.exited, EXIT_WITHIN_MS, 'exit after SIGTERM');
      const exitMs = Date.now() - signalledAt;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(app.stderr.join('')).toBe('');

      // The request in flight was settled, not left pending, and the user was told.
      const database = await openScratch(place);
      try {
        const [row] = await requestsFor(database.db, e164);
        expect(row).toMatchObject({ status: 'created', attempts: 1 });
        expect((await endpoint.contacts(e164)).map((c) => c.id)).toEqual([row!.contactId]);
        const kinds = (await eventsOf(database.db, row!.id)).map((e) => e.kind);
        expect(kinds).toEqual(['recorded', 'attempt', 'settled', 'notified']);
        expect(await requestsFor(database.db, '+919876540002')).toEqual([]);
      } finally {
        await database.close();
      }
      const dms = dmsTo(slack, user);
      expect(dms.map((c) => dmText(c).split('\n')[0])).toEqual([TITLES.created]);
      expect(dmsTo(slack, 'ULATE')).toEqual([]);
      expect(proxy.calls).toHaveLength(1);
      figures.push({ target: target.name, signal: 'SIGTERM', refused: refused.error ?? refused.status, exitMs });
    },
  );

  it.concurrent.for(testTargets())('SIGINT on an idle app, on $name: exit 0', async (target: TestTarget, { expect, onTestFinished }) => {
    const slack = await startFakeSlack();
    const place = await target.scratch();
    onTestFinished(async () => {
      await slack.close();
      await place.remove();
    });
    const app = await spawnApp({ ...place.env, SLACK_API_URL: slack.url });
    expect((await rawGet(`${app.url}/healthz`)).status).toBe(200);
    app.signal('SIGINT');
    const signalledAt = Date.now();
    const exit = await withinMs(app.exited, EXIT_WITHIN_MS, 'exit after SIGINT');
    expect(exit).toEqual({ code: 0, signal: null });
    expect((await rawGet(`${app.url}/healthz`)).error).toBe('ECONNREFUSED');
    figures.push({ target: target.name, signal: 'SIGINT', exitMs: Date.now() - signalledAt });
  });
});
