import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { koreClient, type ContactsClient } from '../../src/kore/client.js';
import { contact } from '../kore/loopback.js';
import { testTargets, type TestDatabase } from '../support/databases.js';
import { caller, identity, sample } from './calls.js';

/** Update (PUT), delete (DELETE) and list (GET) of SPEC §2, over HTTP, in the emulator's database. */
describe.each(testTargets())('the emulator changes and lists contacts on $name', (target) => {
  let database: TestDatabase;
  let emulator: Emulator;
  let call: ReturnType<typeof caller>;
  let client: ContactsClient;

  async function created(phoneNumber: string, overrides: Record<string, unknown> = {}) {
    const answer = await call('POST', '', [sample(phoneNumber, overrides)]);
    expect(answer.status).toBe(200);
    return answer.body[0] as { id: string; createdAt: string };
  }

  beforeAll(async () => {
    database = await target.open();
    // These tests are not about the rate limit: room for all their calls.
    emulator = await startEmulator({ db: database.db, identity, callsPerMinute: 10_000 });
    call = caller(emulator.url);
    client = koreClient({ host: emulator.url, ...identity }, { defaultExtension: '+' });
  });
  afterAll(async () => {
    await emulator?.close();
    await database?.close();
  });

  it('updates a contact with one contact object and answers the updated contact', async () => {
    const before = await created('9811100001');
    const answer = await call('PUT', `/${before.id}`, sample('9811100002', { firstName: 'Jane', salutation: 'Ms' }));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      id: before.id,
      status: 'ACTIVE',
      firstName: 'Jane',
      lastName: 'Doe',
      salutation: 'Ms',
      fullName: 'Jane Doe',
      cellPhone: { phoneNumber: '+919811100002', countryCode: '+91', extension: '+' },
      createdAt: before.createdAt,
    });
    expect(Date.parse(answer.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before.createdAt));
    // The old number is free again; the new one is held.
    expect((await call('POST', '', [sample('9811100001')])).status).toBe(200);
    expect((await call('POST', '', [sample('9811100002')])).status).toBe(409);
  });

  it('answers 409 for an update to a number another contact holds, 404 for an unknown id, 400 for an array', async () => {
    const mine = await created('9811100003');
    await created('9811100004');
    expect(await call('PUT', `/${mine.id}`, sample('9811100004'))).toMatchObject({
      status: 409,
      body: { errors: [{ msg: 'A contact with phone number +919811100004 already exists', code: 'DUPLICATE_PHONE_NUMBER' }] },
    });
    expect((await call('PUT', `/${mine.id}`, sample('9811100003', { firstName: 'Same' }))).status).toBe(200);
    expect(await call('PUT', '/c-no-such-contact', sample('9811100005'))).toMatchObject({
      status: 404,
      body: { errors: [{ msg: 'Contact not found', code: 'NOT_FOUND' }] },
    });
    const array = await call('PUT', `/${mine.id}`, [sample('9811100003')]);
    expect(array.status).toBe(400);
    expect(array.body.errors[0].msg).toMatch(/^body /);
  });

  it('deletes softly: the contact answers INACTIVE, its number is free, it cannot be updated, and a second delete answers it again', async () => {
    const gone = await created('9811100006');
    const deleted = await call('DELETE', `/${gone.id}`);
    expect(deleted).toMatchObject({ status: 200, body: { id: gone.id, status: 'INACTIVE', cellPhone: { phoneNumber: '+919811100006' } } });
    expect(await call('DELETE', `/${gone.id}`)).toMatchObject({ status: 200, body: { id: gone.id, status: 'INACTIVE' } });
    expect((await call('PUT', `/${gone.id}`, sample('9811100006'))).status).toBe(404);
    expect((await call('POST', '', [sample('9811100006', { firstName: 'Again' })])).status).toBe(200);
    expect((await call('DELETE', '/c-no-such-contact')).status).toBe(404);
  });

  it('lists the active contacts a page at a time, oldest first', async () => {
    const everyone = (await call('GET', '?skip=0&limit=100')).body;
    const ids = everyone.results.map((c: { id: string }) => c.id);
    expect(everyone).toMatchObject({ skip: 0, limit: 100, hasMore: false, totalPages: 1, totalResults: ids.length });
    expect(everyone.results.every((c: { status: string }) => c.status === 'ACTIVE')).toBe(true);
    expect(ids.length).toBeGreaterThanOrEqual(3);

    const page = await call('GET', `?skip=1&limit=2`);
    expect(page).toMatchObject({
      status: 200,
      body: { skip: 1, limit: 2, hasMore: ids.length > 3, totalPages: Math.ceil(ids.length / 2), totalResults: ids.length },
    });
    expect(page.body.results.map((c: { id: string }) => c.id)).toEqual(ids.slice(1, 3));
    expect((await call('GET', `?skip=${ids.length}&limit=5`)).body).toMatchObject({ results: [], hasMore: false });

    const last = ids.at(-1);
    await call('DELETE', `/${last}`);
    expect((await call('GET', '?limit=100')).body.totalResults).toBe(ids.length - 1);
  });

  it.each(['?skip=-1', '?limit=0', '?limit=101', '?skip=ten', '?limit=2.5'])('answers 400 for a list with %s', async (query) => {
    const answer = await call('GET', query);
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].code).toBe('BAD_REQUEST');
  });

  it('checks a change like a create: token, account, stream; other methods answer 405', async () => {
    const someone = await created('9811100007');
    expect((await call('PUT', `/${someone.id}`, sample('9811100007'), { auth: 'not-a-jwt' })).status).toBe(401);
    expect((await call('DELETE', `/${someone.id}`, undefined, { accountId: 'another-account' })).status).toBe(403);
    expect((await call('GET', '', undefined, { auth: undefined })).status).toBe(401);
    const elsewhere = await fetch(`${emulator.url}/agentassist/api/v1/public/st-unknown/contacts/${someone.id}`, { method: 'DELETE' });
    expect(elsewhere.status).toBe(404);
    expect((await call('POST', `/${someone.id}`, sample('9811100007'))).status).toBe(405);
    expect((await call('PATCH')).status).toBe(405);
    expect((await call('GET', `/${someone.id}`)).status).toBe(405);
  });

  it("serves the client's update and remove", async () => {
    const made = await client.create([contact({ firstName: 'Priya', lastName: 'Natarajan', phone: '+91 98111 00008' })]);
    const first = made.kind === 'created' ? made.contacts[0] : undefined;
    const updated = await client.update(
      first!.id,
      contact({ salutation: 'Dr', firstName: 'Priya', lastName: 'N', phone: '+91 98111 00009' }),
    );
    expect(updated).toMatchObject({
      kind: 'updated',
      status: 200,
      contact: { id: first!.id, fullName: 'Priya N', phoneNumber: '+919811100009' },
    });
    await created('9811100010');
    const taken = await client.update(first!.id, contact({ firstName: 'Priya', lastName: 'N', phone: '+91 98111 00010' }));
    expect(taken).toMatchObject({ kind: 'duplicate', status: 409 });
    expect(await client.remove(first!.id)).toMatchObject({ kind: 'deleted', status: 200, contact: { id: first!.id } });
    expect(await client.update(first!.id, contact({ firstName: 'Priya', lastName: 'N', phone: '+91 98111 00009' }))).toEqual({
      kind: 'rejected',
      status: 404,
      messages: ['Contact not found'],
    });
    expect(await client.remove('c-no-such-contact')).toMatchObject({ kind: 'rejected', status: 404 });
  });
});
