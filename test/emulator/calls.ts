import { SignJWT } from 'jose';
import type { KoreIdentity } from '../../src/kore/endpoint.js';

export const identity: KoreIdentity = {
  streamId: 'st-9a8b7c6d',
  accountId: '64f0c2a1b2c3d4e5f6a7b8c9',
  clientId: 'cs-emulator-test',
  clientSecret: 'emulator-test-secret-0123456789abcdef',
  enforceJti: false,
};

/** One contact as the vendor's sample sends it. */
export function sample(phoneNumber = '9876543210', overrides: Record<string, unknown> = {}) {
  return {
    firstName: 'John',
    lastName: 'Doe',
    salutation: 'Mr',
    cellPhone: { phoneNumber, countryCode: '+91', extension: '+' },
    ...overrides,
  };
}

export async function jwt(opts: { secret?: string; appId?: string; expiresAt?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ appId: opts.appId ?? identity.clientId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('1234')
    .setIssuedAt(now)
    .setExpirationTime(opts.expiresAt ?? now + 300)
    .setJti(crypto.randomUUID())
    .sign(new TextEncoder().encode(opts.secret ?? identity.clientSecret));
}

/** Calls an emulator at `url` as the app would (signed, with the account header); `headers` adds or (undefined) removes. */
export function caller(url: string) {
  const contacts = `${url}/agentassist/api/v1/public/${identity.streamId}/contacts`;
  return async function call(method: string, path = '', body?: unknown, headers: Record<string, string | undefined> = {}) {
    const all: Record<string, string> = { auth: await jwt(), accountId: identity.accountId };
    if (body !== undefined) all['Content-Type'] = 'application/json';
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) delete all[name];
      else all[name] = value;
    }
    const response = await fetch(contacts + path, {
      method,
      headers: all,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
  };
}
