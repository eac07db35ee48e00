import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { koreClient } from '../../src/kore/client.js';
import type { KoreEndpoint } from '../../src/kore/endpoint.js';
import { contact, loopbackServers, reply } from './loopback.js';

const endpoint = (host: string): KoreEndpoint => ({
  host,
  streamId: 'st-changes',
  accountId: 'acc-changes',
  clientId: 'cs-changes',
  clientSecret: 'changes-test-secret-0123456789abcdef',
  enforceJti: false,
});

/** The one contact a PUT or DELETE is answered with, per docs/contacts-endpoint.md. */
const answered = (id: string, status = 'ACTIVE') => ({
  id,
  status,
  firstName: 'Priya',
  lastName: 'Natarajan',
  fullName: 'Priya Natarajan',
  cellPhone: { phoneNumber: '+919876543210', countryCode: '+91', extension: '+' },
  createdAt: '2025-06-01T12:00:00.000Z',
});

describe('koreClient update and remove', () => {
  const serve = loopbackServers();
  const priya = () => contact({ salutation: 'Dr', firstName: 'Priya', lastName: 'Natarajan', phone: '+91 98765 43210' });

  it('updates with a PUT of one contact object to …/contacts/{id}, signed like a create', async () => {
    const server = await serve(reply(200, answered('c-42')));
    const outcome = await koreClient(endpoint(server.url), { defaultExtension: '+' }).update('c-42', priya());
    expect(outcome).toEqual({
      kind: 'updated',
      status: 200,
      contact: { id: 'c-42', fullName: 'Priya Natarajan', phoneNumber: '+919876543210', createdAt: '2025-06-01T12:00:00.000Z' },
    });
    const [request] = server.received;
    expect(request).toMatchObject({ method: 'PUT', url: '/agentassist/api/v1/public/st-changes/contacts/c-42' });
    expect(request!.headers).toMatchObject({ accountid: 'acc-changes', 'content-type': 'application/json' });
    const { payload } = await jwtVerify(String(request!.headers.auth), new TextEncoder().encode(endpoint('').clientSecret));
    expect(payload.appId).toBe('cs-changes');
    expect(JSON.parse(request!.body)).toEqual({
      firstName: 'Priya',
      lastName: 'Natarajan',
      salutation: 'Dr',
      cellPhone: { phoneNumber: '9876543210', countryCode: '+91', extension: '+' },
    });
  });

  it('removes with a DELETE without a body, answered with the contact now inactive', async () => {
    const server = await serve(reply(200, answered('c-43', 'INACTIVE')));
    const outcome = await koreClient(endpoint(server.url), { defaultExtension: '+' }).remove('c-43');
    expect(outcome).toMatchObject({ kind: 'deleted', status: 200, contact: { id: 'c-43' } });
    expect(server.received[0]).toMatchObject({ method: 'DELETE', url: '/agentassist/api/v1/public/st-changes/contacts/c-43', body: '' });
    expect(server.received[0]!.headers).not.toHaveProperty('content-type');
  });

  it('escapes the contact id into one path segment', async () => {
    const server = await serve(reply(404, { errors: [{ msg: 'Contact not found', code: 'NOT_FOUND' }] }));
    const outcome = await koreClient(endpoint(server.url), { defaultExtension: '+' }).remove('../x?y');
    expect(server.received[0]!.url).toBe('/agentassist/api/v1/public/st-changes/contacts/..%2Fx%3Fy');
    expect(outcome).toEqual({ kind: 'rejected', status: 404, messages: ['Contact not found'] });
  });

  it('answers duplicate when an update takes a number another contact holds', async () => {
    const server = await serve(reply(409, { errors: [{ msg: 'A contact with phone number +919876543210 already exists' }] }));
    const outcome = await koreClient(endpoint(server.url), { defaultExtension: '+' }).update('c-44', priya());
    expect(outcome).toMatchObject({ kind: 'duplicate', status: 409 });
  });
});
