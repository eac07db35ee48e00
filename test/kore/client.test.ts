import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { koreClient } from '../../src/kore/client.js';
import type { KoreEndpoint, KoreIdentity } from '../../src/kore/endpoint.js';
import { testTargets, type TestDatabase } from '../support/databases.js';
import { contact, freshIndianNumber, loopback, loopbackServers, reply, type Loopback } from './loopback.js';

const identity: KoreIdentity = {
  streamId: 'st-3f1b9c2e',
  accountId: '6489a1b2c3d4e5f6a7b8c9d0',
  clientId: 'cs-0f6a5b2e-client',
  clientSecret: 'kJ8s-client-secret-for-the-tests-0123',
  enforceJti: false,
};

function endpointAt(host: string, overrides: Partial<KoreEndpoint> = {}): KoreEndpoint {
  return { host, ...identity, ...overrides };
}

describe.each(testTargets())('koreClient against the emulator on $name', (target) => {
  let database: TestDatabase;
  let emulator: Emulator;

  beforeAll(async () => {
    database = await target.open();
    emulator = await startEmulator({ db: database.db, identity });
  });
  afterAll(async () => {
    await emulator?.close();
    await database?.close();
  });

  it('creates a contact and reports its id, full name and E.164 number', async () => {
    const create = koreClient(endpointAt(emulator.url), { defaultExtension: '+' }).create;
    const outcome = await create([contact({ salutation: 'Mr', firstName: 'Arjun', lastName: 'Mehta', phone: '+91 98765 43210' })]);
    expect(outcome).toEqual({
      kind: 'created',
      status: 200,
      contacts: [
        { id: expect.stringMatching(/^c-[\w-]+$/), fullName: 'Arjun Mehta', phoneNumber: '+919876543210', createdAt: expect.any(String) },
      ],
    });
  });

  it('answers duplicate, with the endpoint message, for the same number written another way', async () => {
    const create = koreClient(endpointAt(emulator.url), { defaultExtension: '+' }).create;
    const first = await create([contact({ firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' })]);
    expect(first.kind).toBe('created');
    const again = await create([
      contact({ salutation: 'Mrs', firstName: 'Kavya', lastName: 'Iyer', phone: '099887-76655', country: 'IN' }),
    ]);
    expect(again).toEqual({ kind: 'duplicate', status: 409, messages: ['A contact with phone number +919988776655 already exists'] });
  });

  it('allows the same name with a different number', async () => {
    const create = koreClient(endpointAt(emulator.url), { defaultExtension: '+' }).create;
    const a = await create([contact({ firstName: 'Rahul', lastName: 'Sharma', phone: freshIndianNumber() })]);
    const b = await create([contact({ firstName: 'Rahul', lastName: 'Sharma', phone: freshIndianNumber() })]);
    expect([a.kind, b.kind]).toEqual(['created', 'created']);
  });

  it('creates every contact of a batch', async () => {
    const create = koreClient(endpointAt(emulator.url), { defaultExtension: '+' }).create;
    const numbers = [freshIndianNumber(), freshIndianNumber(), freshIndianNumber()];
    const outcome = await create(numbers.map((phone, i) => contact({ firstName: `Batch${i}`, lastName: 'Member', phone })));
    expect(outcome.kind === 'created' && outcome.contacts.map((c) => c.phoneNumber)).toEqual(numbers.map((n) => n.replace(/ /g, '')));
  });

  it('answers unauthorized for a wrong client secret', async () => {
    const create = koreClient(endpointAt(emulator.url, { clientSecret: 'not-the-secret-the-emulator-knows' }), {
      defaultExtension: '+',
    }).create;
    const outcome = await create([contact({ firstName: 'Wrong', lastName: 'Secret', phone: freshIndianNumber() })]);
    expect(outcome).toMatchObject({ kind: 'unauthorized', status: 401 });
  });

  it('answers unauthorized (403) for a wrong account', async () => {
    const create = koreClient(endpointAt(emulator.url, { accountId: 'someone-elses-account' }), { defaultExtension: '+' }).create;
    const outcome = await create([contact({ firstName: 'Wrong', lastName: 'Account', phone: freshIndianNumber() })]);
    expect(outcome).toEqual({ kind: 'unauthorized', status: 403, messages: ['accountId does not match this app'] });
  });

  it('answers rejected, naming the field, when the endpoint refuses the body', async () => {
    const create = koreClient(endpointAt(emulator.url), { defaultExtension: '+' }).create;
    const valid = contact({ firstName: 'Blank', lastName: 'Later', phone: freshIndianNumber() });
    const outcome = await create([{ ...valid, lastName: '   ' }]);
    expect(outcome).toEqual({ kind: 'rejected', status: 400, messages: ['0.lastName is required'] });
  });

  describe('with Enforce JTI on', () => {
    let strict: Emulator;
    beforeAll(async () => {
      strict = await startEmulator({ db: database.db, identity: { ...identity, enforceJti: true } });
    });
    afterAll(() => strict?.close());

    it('refuses a client that reuses its token', async () => {
      const create = koreClient(endpointAt(strict.url, { enforceJti: false }), { defaultExtension: '+' }).create;
      const first = await create([contact({ firstName: 'Reuse', lastName: 'One', phone: freshIndianNumber() })]);
      const second = await create([contact({ firstName: 'Reuse', lastName: 'Two', phone: freshIndianNumber() })]);
      expect(first.kind).toBe('created');
      expect(second).toEqual({ kind: 'unauthorized', status: 401, messages: ['JWT jti already used'] });
    });

    it('accepts a client that signs a fresh token per call', async () => {
      const create = koreClient(endpointAt(strict.url, { enforceJti: true }), { defaultExtension: '+' }).create;
      const first = await create([contact({ firstName: 'Fresh', lastName: 'One', phone: freshIndianNumber() })]);
      const second = await create([contact({ firstName: 'Fresh', lastName: 'Two', phone: freshIndianNumber() })]);
      expect([first.kind, second.kind]).toEqual(['created', 'created']);
    });
  });
});

describe('koreClient requests', () => {
  let server: Loopback;
  beforeAll(async () => {
    server = await loopback(reply(200, [{ id: 'c-recorded', fullName: 'x y', cellPhone: { phoneNumber: '+919876543210' } }]));
  });
  afterAll(() => server?.close());

  it('sends the documented path, headers and body', async () => {
    const create = koreClient(endpointAt(server.url, { streamId: 'st-3f1b9c2e' }), { defaultExtension: '+' }).create;
    await create([
      contact({ salutation: 'Dr', firstName: 'Priya', lastName: 'Natarajan', phone: '098765 43210', country: 'IN' }),
      contact({ firstName: 'Jane', lastName: 'Roe', phone: '+1 201 555 0123 ext. 42' }),
      contact({ firstName: 'Joe', lastName: 'Bloggs', phone: '+44 7400 123456', extension: '7' }),
    ]);
    const [request] = server.received.slice(-1);
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/agentassist/api/v1/public/st-3f1b9c2e/contacts');
    expect(request!.headers.accountid).toBe(identity.accountId);
    expect(request!.headers['content-type']).toBe('application/json');
    const { payload, protectedHeader } = await jwtVerify(String(request!.headers.auth), new TextEncoder().encode(identity.clientSecret));
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.appId).toBe(identity.clientId);
    expect(JSON.parse(request!.body)).toEqual([
      {
        firstName: 'Priya',
        lastName: 'Natarajan',
        salutation: 'Dr',
        cellPhone: { phoneNumber: '9876543210', countryCode: '+91', extension: '+' },
      },
      { firstName: 'Jane', lastName: 'Roe', salutation: '', cellPhone: { phoneNumber: '2015550123', countryCode: '+1', extension: '42' } },
      {
        firstName: 'Joe',
        lastName: 'Bloggs',
        salutation: '',
        cellPhone: { phoneNumber: '7400123456', countryCode: '+44', extension: '7' },
      },
    ]);
  });

  it('sends the configured default extension when none is given', async () => {
    const create = koreClient(endpointAt(server.url), { defaultExtension: '0' }).create;
    await create([contact({ firstName: 'Priya', lastName: 'Natarajan', phone: '+91 98765 43210' })]);
    const [request] = server.received.slice(-1);
    expect(JSON.parse(request!.body)[0].cellPhone.extension).toBe('0');
  });
});

describe('koreClient when the endpoint misbehaves', () => {
  const serve = loopbackServers();

  const arjun = () => [contact({ firstName: 'Arjun', lastName: 'Mehta', phone: '+91 98765 43210' })];

  it('answers unavailable for a 503', async () => {
    const server = await serve(reply(503, '<html><body>Service Unavailable</body></html>'));
    const outcome = await koreClient(endpointAt(server.url), { defaultExtension: '+' }).create(arjun());
    expect(outcome).toEqual({ kind: 'unavailable', status: 503, messages: ['<html><body>Service Unavailable</body></html>'] });
  });

  it('answers unavailable with the wait asked for by a 429 with Retry-After', async () => {
    const server = await serve(reply(429, { errors: [{ msg: 'Rate limit exceeded', code: '429' }] }, { 'retry-after': '17' }));
    const outcome = await koreClient(endpointAt(server.url), { defaultExtension: '+' }).create(arjun());
    expect(outcome).toEqual({
      kind: 'unavailable',
      status: 429,
      messages: ['Rate limit exceeded'],
      retryAfterMs: 17_000,
      rateLimited: true,
    });
  });

  it('answers unavailable when the connection is reset', async () => {
    const server = await serve((_res, req) => req.socket.destroy());
    const outcome = await koreClient(endpointAt(server.url), { defaultExtension: '+' }).create(arjun());
    expect(outcome).toMatchObject({ kind: 'unavailable', messages: [expect.stringMatching(/^Could not reach the contacts endpoint/)] });
    expect(outcome).not.toHaveProperty('status');
    expect(outcome).toMatchObject({ cause: 'reset' });
  });

  it('answers unavailable when nothing listens on the port', async () => {
    const server = await loopback(reply(200, []));
    await server.close();
    const outcome = await koreClient(endpointAt(server.url), { defaultExtension: '+' }).create(arjun());
    expect(outcome).toEqual({ kind: 'unavailable', messages: ['Could not reach the contacts endpoint (ECONNREFUSED).'], cause: 'refused' });
  });

  it('answers unavailable when the server never answers within the timeout', async () => {
    const server = await serve(() => {});
    const outcome = await koreClient(endpointAt(server.url), { defaultExtension: '+', timeoutMs: 200 }).create(arjun());
    expect(outcome).toEqual({ kind: 'unavailable', messages: ['No answer within 200 ms.'], cause: 'timeout' });
  });

  it('answers unavailable when the body stalls after the headers', async () => {
    const server = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[{"id":"c-');
    });
    const outcome = await koreClient(endpointAt(server.url), { defaultExtension: '+', timeoutMs: 200 }).create(arjun());
    expect(outcome).toEqual({ kind: 'unavailable', messages: ['No answer within 200 ms.'], cause: 'timeout' });
  });

  it('does not take a 2xx with a garbage body as created', async () => {
    const server = await serve(reply(200, '{"id": "c-1", oops'));
    const outcome = await koreClient(endpointAt(server.url), { defaultExtension: '+' }).create(arjun());
    expect(outcome).toMatchObject({ kind: 'unavailable', status: 200 });
  });

  it('answers rejected with the text of a 400 HTML page', async () => {
    const page = '<html><head><title>400 Bad Request</title></head><body><center><h1>400 Bad Request</h1></center></body></html>';
    const server = await serve(reply(400, page));
    const outcome = await koreClient(endpointAt(server.url), { defaultExtension: '+' }).create(arjun());
    expect(outcome).toEqual({ kind: 'rejected', status: 400, messages: [page] });
  });
});
