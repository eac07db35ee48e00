import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { tokenSource, type Signer } from '../../src/kore/token.js';

const identity: Signer = { clientId: 'cs-7d1c2f', clientSecret: 'a-client-secret-of-32-characters!', enforceJti: false };
const key = new TextEncoder().encode(identity.clientSecret);
const T0 = Date.UTC(2025, 5, 1, 9, 0, 0);

async function verify(jwt: string, at: number): Promise<JWTPayload> {
  const { payload } = await jwtVerify(jwt, key, { algorithms: ['HS256'], currentDate: new Date(at) });
  return payload;
}

/** A clock the test moves by hand. */
function clock(start: number) {
  let t = start;
  return { now: () => t, set: (at: number) => void (t = at) };
}

describe('tokenSource', () => {
  it('signs HS256 with the client secret, carrying appId, sub, iat, a short exp and a jti', async () => {
    const jwt = await tokenSource(identity, () => T0)();
    expect(decodeProtectedHeader(jwt).alg).toBe('HS256');
    const payload = await verify(jwt, T0);
    expect(payload.appId).toBe(identity.clientId);
    expect(payload.sub).toEqual(expect.any(String));
    expect(payload.sub).not.toBe('');
    expect(payload.iat).toBe(T0 / 1000);
    expect(payload.exp! - payload.iat!).toBeGreaterThanOrEqual(120);
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(15 * 60);
    expect(payload.jti).toMatch(/^[\w-]{16,}$/);
  });

  it('does not verify with another secret', async () => {
    const jwt = await tokenSource(identity, () => T0)();
    await expect(
      jwtVerify(jwt, new TextEncoder().encode('another-secret-of-32-characters!!'), { currentDate: new Date(T0) }),
    ).rejects.toThrow();
  });

  it('reuses one token while it has time left', async () => {
    const time = clock(T0);
    const token = tokenSource(identity, time.now);
    const first = await token();
    time.set(T0 + 60_000);
    expect(await token()).toBe(first);
    time.set(T0 + 90_000);
    expect(await token()).toBe(first);
  });

  it('renews before expiry, so a token never expires in flight', async () => {
    const time = clock(T0);
    const token = tokenSource(identity, time.now);
    const first = await token();
    const { exp } = await verify(first, T0);
    time.set(exp! * 1000 - 1_000);
    const renewed = await token();
    expect(renewed).not.toBe(first);
    const payload = await verify(renewed, time.now());
    expect(payload.jti).not.toBe((await verify(first, T0)).jti);
    expect(payload.exp).toBeGreaterThan(exp!);
  });

  it('hands out, over twenty minutes of calls, only tokens valid for at least 30 s more, and few of them', async () => {
    const time = clock(T0);
    const token = tokenSource(identity, time.now);
    const seen = new Set<string>();
    for (let at = T0; at <= T0 + 20 * 60_000; at += 10_000) {
      time.set(at);
      const jwt = await token();
      seen.add(jwt);
      const payload = await verify(jwt, at);
      expect(payload.iat! * 1000).toBeLessThanOrEqual(at);
      expect(payload.exp! * 1000 - at).toBeGreaterThanOrEqual(30_000);
    }
    expect(seen.size).toBeGreaterThan(1);
    expect(seen.size).toBeLessThanOrEqual(10);
  });

  it('signs a fresh token with its own jti on every call when JTI is enforced', async () => {
    const token = tokenSource({ ...identity, enforceJti: true }, () => T0);
    const jwts = await Promise.all([token(), token(), token()]);
    jwts.push(await token());
    const jtis = await Promise.all(jwts.map(async (jwt) => (await verify(jwt, T0)).jti));
    expect(new Set(jwts).size).toBe(4);
    expect(new Set(jtis).size).toBe(4);
  });

  it('gives every source its own jti', async () => {
    const [a, b] = await Promise.all([tokenSource(identity, () => T0)(), tokenSource(identity, () => T0)()]);
    expect((await verify(a!, T0)).jti).not.toBe((await verify(b!, T0)).jti);
  });
});
