import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { KoreIdentity } from './endpoint.js';

/** What a Kore.ai API-scope app signs its calls with. */
export type Signer = Pick<KoreIdentity, 'clientId' | 'clientSecret' | 'enforceJti'>;

const LIFETIME_S = 5 * 60;
/** A token this close to expiry is replaced, so one never expires in flight. */
const RENEW_BEFORE_S = 60;

/** Returns a function that yields a signed HS256 JWT, reusing one until shortly before it expires. */
export function tokenSource(identity: Signer, now: () => number = Date.now): () => Promise<string> {
  const key = new TextEncoder().encode(identity.clientSecret);
  let cached: { jwt: string; exp: number } | undefined;
  return async () => {
    const iat = Math.floor(now() / 1000);
    if (!identity.enforceJti && cached && cached.exp - RENEW_BEFORE_S > iat) return cached.jwt;
    const exp = iat + LIFETIME_S;
    const jwt = await new SignJWT({ appId: identity.clientId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(identity.clientId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(key);
    cached = { jwt, exp };
    return jwt;
  };
}
