import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BOT_TOKEN, SIGNING_SECRET } from '../support/bot.js';
import { testTargets, type Scratch } from '../support/databases.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { modalSubmission } from '../support/slack-requests.js';
import { dmsTo, dmText, postSignedRaw, sleep, startEndpoint, startFaultProxy, TITLES, type Endpoint, type FaultProxy } from './harness.js';
import { eventually } from '../support/eventually.js';
import { killAllSpawned, records, spawnApp, type AppProcess } from './processes.js';

// Real processes and real databases on a machine other work may share: generous limits (timeouts as behaviour only).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

/**
 * The app's own stdout at LOG_LEVEL=debug, through a created contact, a duplicate, a queued-then-created one (the
 * endpoint's error text echoing the number and a token), and a refused-credentials one: JSON lines only, and no
 * secret, token, JWT or whole phone number in any of them. On the embedded database (the default set-up).
 */
const target = testTargets()[0]!;

const NUMBERS = {
  created: { typed: '+91 98765 12345', e164: '+919876512345', national: '9876512345', masked: '+91******2345' },
  duplicate: { typed: '098765 12345', e164: '+919876512345', national: '9876512345', masked: '+91******2345' },
  queued: { typed: '+91 98765 12347', e164: '+919876512347', national: '9876512347', masked: '+91******2347' },
  unauthorized: { typed: '+91 98765 12346', e164: '+919876512346', national: '9876512346', masked: '+91******2346' },
};
const WRONG_SECRET = 'wrong-kore-client-secret-0123456789';
/** A JWT-shaped token an endpoint might echo in an error. */
const ECHOED_JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJhcHBJZCI6ImNzLXJlbGlhYmlsaXR5In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('what the app writes to its log (LOG_LEVEL=debug)', () => {
  let slack: FakeSlack;
  let endpoint: Endpoint;
  let proxy: FaultProxy;
  const places: Scratch[] = [];
  let good: AppProcess;
  let misconfigured: AppProcess;
  let lines: string[] = [];
  let stderr = '';

  beforeAll(async () => {
    slack = await startFakeSlack();
    endpoint = await startEndpoint(target);
    let busy = true;
    proxy = await startFaultProxy(endpoint.emulator.url, (call) => {
      if (call.numbers.includes(NUMBERS.queued.e164) && busy) {
        busy = false;
        return {
          kind: 'status',
          status: 503,
          body: { errors: [{ msg: `Backend busy creating ${NUMBERS.queued.e164} for token ${ECHOED_JWT}`, code: 'BUSY' }] },
        };
      }
      return { kind: 'pass' };
    });
    places.push(await target.scratch(), await target.scratch());
    const common = { LOG_LEVEL: 'debug', SLACK_API_URL: slack.url, KORE_TIMEOUT_SECONDS: '5', DELIVERY_LEASE_SECONDS: '10' };
    [good, misconfigured] = await Promise.all([
      spawnApp({ ...common, ...places[0]!.env, ...endpoint.env(proxy.url) }),
      spawnApp({ ...common, ...places[1]!.env, ...endpoint.env(proxy.url, { KORE_CLIENT_SECRET: WRONG_SECRET }) }),
    ]);

    const submit = (app: AppProcess, user: string, n: { typed: string }) =>
      postSignedRaw(
        app.events,
        SIGNING_SECRET,
        modalSubmission({ salutation: 'Mr', firstName: 'Log', lastName: user, country: 'IN', phone: n.typed }, { userId: user }),
      );
    const told = (user: string, title: string) =>
      eventually(
        async () => (dmsTo(slack, user).some((c) => dmText(c).startsWith(title)) ? true : undefined),
        30_000,
        `${user} told ${title}`,
      );

    expect((await submit(good, 'ULOG1', NUMBERS.created)).status).toBe(200);
    await told('ULOG1', TITLES.created);
    expect((await submit(good, 'ULOG2', NUMBERS.duplicate)).status).toBe(200);
    expect((await submit(good, 'ULOG3', NUMBERS.queued)).status).toBe(200);
    expect((await submit(misconfigured, 'ULOG4', NUMBERS.unauthorized)).status).toBe(200);
    // A forged request, too: its rejection is logged.
    expect(
      (await postSignedRaw(good.events, 'not-the-signing-secret', { command: '/addcontact', text: NUMBERS.created.typed })).status,
    ).toBe(401);
    await Promise.all([
      told('ULOG2', TITLES.duplicate),
      told('ULOG3', TITLES.queued).then(() => told('ULOG3', TITLES.created)),
      told('ULOG4', TITLES.unauthorized),
    ]);
    await sleep(300);
    for (const app of [good, misconfigured]) app.signal('SIGTERM');
    const exits = await Promise.all([good.exited, misconfigured.exited]);
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    lines = [...good.lines, ...misconfigured.lines].filter((line) => line.trim() !== '');
    stderr = good.stderr.join('') + misconfigured.stderr.join('');
  });

  afterAll(async () => {
    await killAllSpawned();
    await proxy?.close();
    await endpoint?.close();
    await slack?.close();
    for (const place of places) await place.remove();
    console.info(`[logs] ${JSON.stringify({ lines: lines.length, byLevel: countBy(records(lines).map((r) => String(r.level))) })}`);
  });

  it('writes only JSON lines, each with a time, a level and a message, debug ones included', () => {
    expect(lines.length).toBeGreaterThan(10);
    const unparsable = lines.filter((line) => {
      try {
        const r = JSON.parse(line) as Record<string, unknown>;
        return typeof r.t !== 'string' || !['debug', 'info', 'warn', 'error'].includes(String(r.level)) || typeof r.msg !== 'string';
      } catch {
        return true;
      }
    });
    expect(unparsable).toEqual([]);
    expect(records(lines).some((r) => r.level === 'debug')).toBe(true);
  });

  it('logs the refused credentials as an error naming the KORE_* settings, without the secret', () => {
    const refusal = records(misconfigured.lines).find((r) => r.level === 'error' && String(r.msg).includes('KORE_'));
    expect(refusal).toBeDefined();
    expect(JSON.stringify(refusal)).not.toContain(WRONG_SECRET);
  });

  it('never writes the bot token, the signing secret, a client secret or a JWT', () => {
    const secrets = [BOT_TOKEN, SIGNING_SECRET, endpoint.identity.clientSecret, WRONG_SECRET, ECHOED_JWT];
    for (const secret of secrets)
      expect(
        lines.filter((line) => line.includes(secret)),
        secret,
      ).toEqual([]);
    expect(lines.filter((line) => /eyJ[\w-]+\.[\w-]+/.test(line))).toEqual([]);
    for (const secret of secrets) expect(stderr).not.toContain(secret);
  });

  it('never writes a phone number in E.164; it shows the masked form instead', () => {
    for (const n of Object.values(NUMBERS)) {
      expect(
        lines.filter((line) => line.includes(n.e164)),
        n.e164,
      ).toEqual([]);
      expect(stderr).not.toContain(n.e164);
    }
    for (const n of [NUMBERS.created, NUMBERS.queued, NUMBERS.unauthorized]) {
      expect(
        lines.some((line) => line.includes(n.masked)),
        n.masked,
      ).toBe(true);
    }
  });

  // At LOG_LEVEL=debug the DM text and modal carry the number formatted for people (`+91 98765 12345`) too.
  // The README's "Data": logs show numbers masked.
  it('never writes a phone number in any other notation either (spaces, dashes, national digits)', () => {
    for (const n of Object.values(NUMBERS)) {
      const leaking = lines.filter((line) => line.replace(/[\s\-().\u00a0]/g, '').includes(n.national));
      expect(
        leaking.map((line) => line.slice(0, 300)),
        n.typed,
      ).toEqual([]);
    }
  });
});

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
