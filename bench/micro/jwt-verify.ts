/**
 * Micro-benchmark of access-token verification with jose, the work the
 * gateway does on a token-cache miss: the HS256 secret passed as bytes (as
 * src/common/jwt.ts does), as a KeyObject made once, and as a CryptoKey
 * imported once. Run: taskset -c 0 node --import tsx bench/micro/jwt-verify.ts
 */
import { createSecretKey, webcrypto } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { jwtVerify, type JWTVerifyOptions } from 'jose';
import { randomSecret, signAccessToken } from '../token.ts';

const ITERATIONS = 20_000;
const secret = randomSecret();
const token = await signAccessToken(secret, 3600);
const bytes = new TextEncoder().encode(secret);
const options: JWTVerifyOptions = { algorithms: ['HS256'], issuer: 'mad-scientist-auth', audience: 'mad-scientist' };

const keys = {
  'Uint8Array secret (imported on every call)': bytes,
  'KeyObject made once (createSecretKey)': createSecretKey(bytes),
  'CryptoKey imported once (subtle.importKey)': await webcrypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']),
};

for (const [label, key] of Object.entries(keys)) {
  for (let index = 0; index < 2000; index += 1) await jwtVerify(token, key, options);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < ITERATIONS; index += 1) await jwtVerify(token, key, options);
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMicroseconds = (cpu.user + cpu.system) / ITERATIONS;
  console.log(`${label}: ${((elapsedMs * 1000) / ITERATIONS).toFixed(1)} µs wall, ${cpuMicroseconds.toFixed(1)} µs CPU per verification`);
}
