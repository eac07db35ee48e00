import { request } from 'node:http';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorContacts } from '../../db/schema.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { testTargets, type TestDatabase } from '../support/databases.js';
import { identity, jwt, sample } from './calls.js';

describe.each(testTargets())('the emulator on $name', (target) => {
  let database: TestDatabase;
  let emulator: Emulator;
  let contactsUrl: string;

  async function post(body: unknown, headers: Record<string, string | undefined> = {}, url = contactsUrl) {
    const all: Record<string, string> = { auth: await jwt(), accountId: identity.accountId, 'Content-Type': 'application/json' };
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) delete all[name];
      else all[name] = value;
    }
    const response = await fetch(url, { method: 'POST', headers: all, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as any };
  }

  async function stored(phoneE164: string) {
    return database.db.select().from(emulatorContacts).where(eq(emulatorContacts.phoneE164, phoneE164));
  }

  beforeAll(async () => {
    database = await target.open();
    emulator = await startEmulator({ db: database.db, identity });
    contactsUrl = `${emulator.url}/agentassist/api/v1/public/${identity.streamId}/contacts`;
  });
  afterAll(async () => {
    await emulator?.close();
    await database?.close();
  });

  it("answers the vendor's documented sample with the created contact", async () => {
    const response = await fetch(contactsUrl, {
      method: 'POST',
      headers: { auth: await jwt(), accountId: identity.accountId, 'Content-Type': 'application/json' },
      body: JSON.stringify([sample()]),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { createdAt: string }[];
    expect(body).toEqual([
      {
        id: expect.stringMatching(/^c-/),
        status: 'ACTIVE',
        firstName: 'John',
        lastName: 'Doe',
        salutation: 'Mr',
        cellPhone: { phoneNumber: '+919876543210', countryCode: '+91', extension: '+' },
        createdBy: expect.any(String),
        orgId: expect.any(String),
        accountId: identity.accountId,
        instanceBotId: identity.streamId,
        fullName: 'John Doe',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    ]);
    expect(Number.isNaN(Date.parse(body[0]!.createdAt))).toBe(false);
    expect(await stored('+919876543210')).toHaveLength(1);
  });

  it.each([
    ['a missing auth header', { auth: undefined }, 'auth header is missing'],
    ['a token that is not a JWT', { auth: 'not-a-jwt' }, 'Invalid or expired JWT'],
  ])('answers 401 with errors for %s', async (_what, headers, msg) => {
    const response = await post([sample('9876500001')], headers);
    expect(response).toEqual({ status: 401, body: { errors: [{ msg, code: 'UNAUTHORIZED' }] } });
  });

  it('answers 401 for a JWT signed with another secret', async () => {
    const response = await post([sample('9876500002')], { auth: await jwt({ secret: 'some-other-secret-0123456789abcdef' }) });
    expect(response).toEqual({ status: 401, body: { errors: [{ msg: 'Invalid or expired JWT', code: 'UNAUTHORIZED' }] } });
  });

  it('answers 401 for an expired JWT', async () => {
    const response = await post([sample('9876500003')], { auth: await jwt({ expiresAt: Math.floor(Date.now() / 1000) - 60 }) });
    expect(response.status).toBe(401);
    expect(response.body.errors[0].msg).toEqual(expect.any(String));
  });

  it('answers 401 for a JWT of another app', async () => {
    const response = await post([sample('9876500004')], { auth: await jwt({ appId: 'cs-someone-else' }) });
    expect(response).toEqual({ status: 401, body: { errors: [{ msg: 'Unknown appId', code: 'UNAUTHORIZED' }] } });
  });

  it('answers 403 for a wrong or missing accountId', async () => {
    expect(await post([sample('9876500005')], { accountId: 'another-account' })).toEqual({
      status: 403,
      body: { errors: [{ msg: 'accountId does not match this app', code: 'FORBIDDEN' }] },
    });
    expect((await post([sample('9876500005')], { accountId: undefined })).status).toBe(403);
    expect(await stored('+919876500005')).toHaveLength(0);
  });

  it('answers 404 for another stream', async () => {
    const response = await post([sample('9876500006')], {}, `${emulator.url}/agentassist/api/v1/public/st-unknown/contacts`);
    expect(response).toEqual({ status: 404, body: { errors: [{ msg: 'Bot not found for this streamId', code: 'NOT_FOUND' }] } });
  });

  it.each([
    ['an object instead of an array', sample('9876500007'), /^body /],
    ['an empty array', [], /at least one contact/],
    ['letters in phoneNumber', [sample('98765ABCDE')], /^0\.cellPhone\.phoneNumber /],
    ['a + in phoneNumber', [sample('+919876500008')], /^0\.cellPhone\.phoneNumber /],
    [
      'a countryCode without +',
      [sample('9876500009', { cellPhone: { phoneNumber: '9876500009', countryCode: '91', extension: '+' } })],
      /^0\.cellPhone\.countryCode /,
    ],
    ['a missing firstName', [{ ...sample('9876500010'), firstName: undefined }], /^0\.firstName /],
    ['a blank lastName', [sample('9876500011', { lastName: '   ' })], /^0\.lastName /],
    ['no cellPhone', [{ firstName: 'John', lastName: 'Doe', salutation: 'Mr' }], /^0\.cellPhone /],
    ['a body that is not JSON', '[{"firstName": ', /not JSON/],
  ])('answers 400 with errors[].msg for %s', async (_what, body, msg) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(response.body.errors.length).toBeGreaterThan(0);
    expect(response.body.errors[0].msg).toMatch(msg);
  });

  it('answers 409 with errors for a number that already has a contact, whatever the name', async () => {
    expect((await post([sample('9876500012')])).status).toBe(200);
    const response = await post([sample('9876500012', { firstName: 'Jane', lastName: 'Roe', salutation: 'Ms' })]);
    expect(response).toEqual({
      status: 409,
      body: { errors: [{ msg: 'A contact with phone number +919876500012 already exists', code: 'DUPLICATE_PHONE_NUMBER' }] },
    });
    expect(await stored('+919876500012')).toHaveLength(1);
  });

  it('answers 409 and stores nothing when a batch holds one number twice', async () => {
    const response = await post([
      sample('9876500013', { firstName: 'Ann' }),
      sample('9876500014'),
      sample('9876500013', { firstName: 'Bea' }),
    ]);
    expect(response.status).toBe(409);
    expect(response.body.errors[0].msg).toContain('+919876500013');
    expect(await stored('+919876500013')).toHaveLength(0);
    expect(await stored('+919876500014')).toHaveLength(0);
  });

  it('stores nothing of a batch in which one number is taken', async () => {
    expect((await post([sample('9876500015')])).status).toBe(200);
    const response = await post([sample('9876500016'), sample('9876500015')]);
    expect(response.status).toBe(409);
    expect(await stored('+919876500016')).toHaveLength(0);
  });

  it('creates one contact when the same number arrives in concurrent calls', async () => {
    const responses = await Promise.all(Array.from({ length: 5 }, (_, i) => post([sample('9876500017', { firstName: `Racer${i}` })])));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    expect(await stored('+919876500017')).toHaveLength(1);
  });

  it('refuses an oversized body with 413 and keeps answering', async () => {
    const huge = JSON.stringify(Array.from({ length: 40_000 }, (_, i) => sample(String(7_000_000_000 + i))));
    expect(huge.length).toBeGreaterThan(2 << 20);
    const response = await fetch(contactsUrl, {
      method: 'POST',
      headers: { auth: await jwt(), accountId: identity.accountId, 'Content-Type': 'application/json' },
      body: huge,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ errors: [{ msg: 'Body too large', code: 'PAYLOAD_TOO_LARGE' }] });
    expect((await post([sample('9876500018')])).status).toBe(200);
  });

  it('survives a client that hangs up mid-body and keeps answering', async () => {
    const auth = await jwt();
    await new Promise<void>((resolve) => {
      const req = request(contactsUrl, { method: 'POST', headers: { auth, accountId: identity.accountId, 'content-length': '1000' } });
      req.on('error', () => resolve());
      req.write('[{"firstName":"Jo', () =>
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 50),
      );
    });
    expect((await post([sample('9876500019')])).status).toBe(200);
  });
});
