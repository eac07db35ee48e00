import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { koreClient } from '../../src/kore/client.js';
import { contact } from '../kore/loopback.js';
import { testTargets, type TestDatabase } from '../support/databases.js';
import { caller, identity, sample } from './calls.js';

const VENDOR_TEXT = "You've exceeded the per-minute rate limit. Please wait for sometime before retrying.";
const RATE_LIMITED = { errors: [{ msg: VENDOR_TEXT, code: 'RATE_LIMIT_EXCEEDED' }] };

/** The vendor allows 60 calls per rolling minute per account; the emulator's clock is the test's to move. */
describe.each(testTargets())("the emulator's rate limit on $name", (target) => {
  let database: TestDatabase;
  const emulators: Emulator[] = [];
  let clock = Date.UTC(2025, 5, 1, 12, 0, 0);

  async function emulator(callsPerMinute?: number) {
    const started = await startEmulator({ db: database.db, identity, now: () => clock, ...(callsPerMinute ? { callsPerMinute } : {}) });
    emulators.push(started);
    return { url: started.url, call: caller(started.url) };
  }

  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => {
    await Promise.all(emulators.map((e) => e.close()));
    await database?.close();
  });

  it("allows 60 calls in a minute, whatever their answers, then answers 429 with the vendor's text until the oldest ages out", async () => {
    const { call } = await emulator();
    const start = clock;
    const answers: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      clock = start + i * 500;
      // Refused calls count too: a bad token, a bad body, an unknown contact, a list.
      const [method, path, body, headers] = [
        ['POST', '', [sample(String(9_700_000_000 + i))], {}],
        ['POST', '', [sample(String(9_700_000_000 + i))], { auth: 'not-a-jwt' }],
        ['POST', '', { not: 'an array' }, {}],
        ['DELETE', '/c-unknown', undefined, {}],
        ['GET', '?limit=1', undefined, {}],
      ][i % 5] as [string, string, unknown, Record<string, string>];
      answers.push((await call(method, path, body, headers)).status);
    }
    expect(new Set(answers)).toEqual(new Set([200, 401, 400, 404]));

    clock = start + 59_999;
    const refused = await call('POST', '', [sample('9700000100')]);
    expect(refused).toEqual({ status: 429, retryAfter: '1', body: RATE_LIMITED });
    clock = start + 30_000;
    expect(await call('GET')).toMatchObject({ status: 429, retryAfter: '30', body: RATE_LIMITED });

    // A refused call does not count: once the first call is a minute old, one call frees, and only one.
    clock = start + 60_000;
    expect((await call('POST', '', [sample('9700000100')])).status).toBe(200);
    expect((await call('GET')).status).toBe(429);
    clock = start + 60_500;
    expect((await call('GET')).status).toBe(200);
  });

  it("does not let calls naming another account spend this account's minute", async () => {
    const { call } = await emulator(2);
    expect((await call('GET', '', undefined, { accountId: 'someone-else' })).status).toBe(403);
    expect((await call('GET', '', undefined, { accountId: 'someone-else' })).status).toBe(403);
    expect((await call('GET', '', undefined, { accountId: 'someone-else' })).status).toBe(429);
    expect((await call('GET')).status).toBe(200);
    expect((await call('GET')).status).toBe(200);
    expect(await call('GET')).toMatchObject({ status: 429, body: RATE_LIMITED });
  });

  it('takes the limit as an option, and the client reads its 429 as a rate limit to wait out', async () => {
    const { url, call } = await emulator(3);
    for (let i = 0; i < 3; i += 1) expect((await call('GET')).status).toBe(200);
    const client = koreClient({ host: url, ...identity }, { defaultExtension: '+' });
    const outcome = await client.create([contact({ firstName: 'Asha', lastName: 'Rao', phone: '+91 97000 00200' })]);
    expect(outcome).toEqual({ kind: 'unavailable', status: 429, messages: [VENDOR_TEXT], retryAfterMs: 60_000, rateLimited: true });
  });
});
