/** Signs the access token that the benchmark clients send, with the claims the auth service puts in one. */
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

export const BENCH_ISSUER = 'mad-scientist-auth';
export const BENCH_AUDIENCE = 'mad-scientist';

export function randomSecret(): string {
  return randomBytes(48).toString('base64url');
}

export async function signAccessToken(secret: string, lifetimeSeconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ username: 'bench_user', sid: randomUUID() })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(randomUUID())
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeSeconds)
    .setIssuer(BENCH_ISSUER)
    .setAudience(BENCH_AUDIENCE)
    .sign(new TextEncoder().encode(secret));
}
