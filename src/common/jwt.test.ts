import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { base64url, createLocalJWKSet, SignJWT } from 'jose';
import { ConfigError } from './config.ts';
import { createAccessTokenVerifier, readJwtSettings, type JwtSettings } from './jwt.ts';
import { TEST_JWT_SECRET } from './test-support.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'ms-jwt-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const hsSettings: JwtSettings = {
  mode: 'hs256',
  secret: new TextEncoder().encode(TEST_JWT_SECRET),
  issuer: 'iss-test',
  audience: 'aud-test',
  clockToleranceSeconds: 0,
};

function claims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { sub: randomUUID(), username: 'ada', jti: randomUUID(), iat: now, exp: now + 600, iss: 'iss-test', aud: 'aud-test', ...overrides };
}

/** Builds a compact JWS by hand, so the header can say anything, `alg: none` included. */
function unsignedToken(alg: string, payload: Record<string, unknown>): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode({ alg, typ: 'JWT' })}.${encode(payload)}.`;
}

describe('readJwtSettings', () => {
  test('defaults to hs256 with the mode algorithm', () => {
    const settings = readJwtSettings({ JWT_SECRET_KEY: TEST_JWT_SECRET }, dataDir);
    assert.equal(settings.mode, 'hs256');
    assert.deepEqual(settings.algorithms, ['HS256']);
    assert.ok(settings.secret);
  });

  test('eddsa needs no secret and derives the key set URL', () => {
    const settings = readJwtSettings({ JWT_MODE: 'eddsa', AUTH_SERVICE_URL: 'http://127.0.0.1:5999', NODE_ENV: 'production' }, dataDir);
    assert.equal(settings.secret, undefined);
    assert.deepEqual(settings.algorithms, ['EdDSA']);
    assert.equal(settings.jwksUrl, 'http://127.0.0.1:5999/.well-known/jwks.json');
  });

  test('JWT_ALGORITHMS cannot name none or cross modes', () => {
    for (const [env, pattern] of [
      [{ JWT_ALGORITHMS: 'none' }, /"none" is not accepted with JWT_MODE=hs256/],
      [{ JWT_ALGORITHMS: 'HS256,EdDSA' }, /"EdDSA" is not accepted with JWT_MODE=hs256/],
      [{ JWT_MODE: 'eddsa', JWT_ALGORITHMS: 'HS256' }, /"HS256" is not accepted with JWT_MODE=eddsa/],
      [{ JWT_ALGORITHMS: ' , ' }, /expected one or more/],
      [{ JWT_MODE: 'rs256' }, /JWT_MODE: invalid value "rs256"/],
    ] as const) {
      assert.throws(() => readJwtSettings({ JWT_SECRET_KEY: TEST_JWT_SECRET, ...env }, dataDir), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, pattern);
        return true;
      });
    }
  });

  test('JWT_CLOCK_TOLERANCE_SECONDS is bounded', () => {
    assert.throws(() => readJwtSettings({ JWT_SECRET_KEY: TEST_JWT_SECRET, JWT_CLOCK_TOLERANCE_SECONDS: '301' }, dataDir), /JWT_CLOCK_TOLERANCE_SECONDS/);
    assert.throws(() => readJwtSettings({ JWT_SECRET_KEY: TEST_JWT_SECRET, JWT_CLOCK_TOLERANCE_SECONDS: '-1' }, dataDir), /JWT_CLOCK_TOLERANCE_SECONDS/);
    assert.throws(() => readJwtSettings({ JWT_SECRET_KEY: TEST_JWT_SECRET, JWT_CLOCK_TOLERANCE_SECONDS: '1.5' }, dataDir), /JWT_CLOCK_TOLERANCE_SECONDS/);
  });

  test('production refuses weak secrets', () => {
    for (const secret of ['short', 'secret', 'changeme-changeme-changeme-changeme-12', 'x'.repeat(64)]) {
      assert.throws(() => readJwtSettings({ NODE_ENV: 'production', JWT_SECRET_KEY: secret }, dataDir), /JWT_SECRET_KEY: .*NODE_ENV=production/);
    }
    assert.throws(() => readJwtSettings({ NODE_ENV: 'production' }, dataDir), /JWT_SECRET_KEY: missing/);
    assert.ok(readJwtSettings({ NODE_ENV: 'production', JWT_SECRET_KEY: 'q7Vd2kP9xL4mN8wR3tY6uB1cZ5hJ0gF-aE_sQ' }, dataDir).secret);
  });
});

describe('createAccessTokenVerifier', () => {
  const verify = createAccessTokenVerifier(hsSettings);

  test('rejects alg none in every spelling', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      await assert.rejects(verify(unsignedToken(alg, claims())), { code: 'UNAUTHORIZED' }, alg);
    }
  });

  test('rejects an algorithm outside the configured list', async () => {
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS512' }).sign(hsSettings.secret!);
    await assert.rejects(verify(token), { code: 'UNAUTHORIZED' });
    const widened = createAccessTokenVerifier({ ...hsSettings, algorithms: ['HS256', 'HS512'] });
    assert.equal((await widened(token)).username, 'ada');
  });

  test('requires exp and checks iss and aud', async () => {
    const { exp: _exp, ...withoutExp } = claims();
    for (const payload of [withoutExp, claims({ iss: 'someone-else' }), claims({ aud: 'another-api' }), claims({ jti: undefined })]) {
      const token = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(hsSettings.secret!);
      await assert.rejects(verify(token), { code: 'UNAUTHORIZED' });
    }
  });

  test('eddsa refuses an HS256 token keyed with the public key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'EdDSA', use: 'sig' };
    const keys = createLocalJWKSet({ keys: [jwk] });
    const eddsa = createAccessTokenVerifier({ ...hsSettings, mode: 'eddsa', secret: undefined, algorithms: ['EdDSA'] }, keys);

    const good = await new SignJWT(claims()).setProtectedHeader({ alg: 'EdDSA', kid: 'k1' }).sign(privateKey);
    assert.equal((await eddsa(good)).username, 'ada');

    // The attacker knows the public key and tries it as an HMAC secret, in each form it is published in.
    const candidates = [new TextEncoder().encode(JSON.stringify(jwk)), base64url.decode(jwk.x!), publicKey.export({ format: 'der', type: 'spki' })];
    for (const secret of candidates) {
      const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new Uint8Array(secret));
      await assert.rejects(eddsa(forged), { code: 'UNAUTHORIZED' });
    }
  });

  test('eddsa reports an unreachable key set as unavailable', async () => {
    const server: Server = createServer((_request, response) => response.writeHead(500).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const eddsa = createAccessTokenVerifier({ ...hsSettings, mode: 'eddsa', secret: undefined, jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json` });
      const { privateKey } = generateKeyPairSync('ed25519');
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'EdDSA', kid: 'k1' }).sign(privateKey);
      await assert.rejects(eddsa(token), { code: 'SERVICE_UNAVAILABLE' });
    } finally {
      server.close();
    }
  });
});
