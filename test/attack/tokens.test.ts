/**
 * Forged, tampered and replayed tokens against the running stack, in both
 * signing modes. A refused token is a 401 at the gateway that reaches no
 * service, and the chat service, which verifies tokens itself, refuses the
 * same token when it is sent to it directly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { base64url, decodeProtectedHeader, SignJWT, type JWK } from 'jose';
import { TEST_JWT_SECRET } from '../../src/common/test-support.ts';
import { repositoryRoot } from '../support/processes.ts';
import { call, registerUser, startAttackStack, startExtraGateway, type AttackStack } from './stack.ts';

const secret = new TextEncoder().encode(TEST_JWT_SECRET);

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: randomUUID(),
    username: 'mallory',
    jti: randomUUID(),
    sid: randomUUID(),
    iat: now,
    exp: now + 600,
    iss: 'mad-scientist-auth',
    aud: 'mad-scientist',
    ...overrides,
  };
}

/** A compact JWS with any header and the given signature bytes, so `alg` can be anything. */
function handmade(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  return `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.${signature}`;
}

async function hs(payload: Record<string, unknown>, alg = 'HS256', key: Uint8Array = secret, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT', ...header }).sign(key);
}

/** Sends `token` to a token route of the gateway and to the chat service directly; returns both answers. */
async function tryToken(stack: AttackStack, token: string) {
  stack.clearTaps();
  const viaGateway = await call(stack.url, 'GET', '/api/chat/history', { token });
  const calls = stack.backendCalls().length;
  const direct = await call(stack.chat.url, 'GET', '/mad-scientist/history', { token });
  return { viaGateway, direct, calls };
}

async function assertRefused(stack: AttackStack, token: string, code: string, label: string): Promise<void> {
  const { viaGateway, direct, calls } = await tryToken(stack, token);
  assert.equal(viaGateway.status, 401, `${label}: gateway answered ${viaGateway.status}`);
  assert.equal(viaGateway.body.error.code, code, label);
  assert.match(viaGateway.headers.get('www-authenticate') ?? '', /^Bearer/, label);
  assert.equal(calls, 0, `${label}: the token reached a service through the gateway`);
  assert.equal(direct.status, 401, `${label}: the chat service accepted it`);
}

/** Checks that the gateway at `gatewayUrl` rejects `token` as revoked, without calling a service. */
async function assertRevoked(stack: AttackStack, gatewayUrl: string, token: string): Promise<void> {
  stack.clearTaps();
  const reuse = await call(gatewayUrl, 'GET', '/api/chat/history', { token });
  assert.equal(reuse.status, 401);
  assert.equal(reuse.body.error.code, 'TOKEN_REVOKED');
  assert.equal(stack.backendCalls().length, 0);
}

describe('hs256 mode', () => {
  let stack: AttackStack;
  before(async () => {
    stack = await startAttackStack('tokens', { gatewayEnv: { RATE_LIMITS: 'off' } });
  });
  after(() => stack?.close());

  test('genuine token passes', async () => {
    const { pair } = await registerUser(stack);
    const { viaGateway, direct } = await tryToken(stack, pair.access_token);
    assert.equal(viaGateway.status, 200);
    assert.equal(direct.status, 200);
  });

  test('alg none is refused in every spelling', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      await assertRefused(stack, handmade({ alg, typ: 'JWT' }, claims()), 'UNAUTHORIZED', `alg ${alg}`);
      // Some libraries accepted a none token that still carried a signature.
      await assertRefused(stack, handmade({ alg, typ: 'JWT' }, claims(), base64url.encode('sig')), 'UNAUTHORIZED', `alg ${alg} with a signature`);
    }
  });

  test('algorithm outside JWT_ALGORITHMS is refused', async () => {
    await assertRefused(stack, await hs(claims(), 'HS512'), 'UNAUTHORIZED', 'HS512 with the right secret');
    await assertRefused(stack, await hs(claims(), 'HS384'), 'UNAUTHORIZED', 'HS384 with the right secret');
  });

  test('forged signature is refused', async () => {
    await assertRefused(stack, await hs(claims(), 'HS256', new TextEncoder().encode(`${TEST_JWT_SECRET}-guess`)), 'UNAUTHORIZED', 'wrong secret');
    const genuine = (await registerUser(stack)).pair.access_token;
    const [header, , signature] = genuine.split('.');
    const elevated = base64url.encode(JSON.stringify(claims({ sub: randomUUID(), username: 'admin' })));
    await assertRefused(stack, `${header}.${elevated}.${signature}`, 'UNAUTHORIZED', 'payload swapped under a genuine signature');
  });

  test('missing or wrong claims are refused', async () => {
    const { exp: _exp, ...withoutExp } = claims();
    const cases: Array<[string, Record<string, unknown>]> = [
      ['missing exp', withoutExp],
      ['wrong iss', claims({ iss: 'https://evil.example' })],
      ['wrong aud', claims({ aud: 'another-api' })],
      ['aud list without ours', claims({ aud: ['another-api', 'third'] })],
      ['missing iss', claims({ iss: undefined })],
      ['missing sub', claims({ sub: undefined })],
      ['missing jti', claims({ jti: undefined })],
      ['exp not a number', claims({ exp: 'tomorrow' })],
    ];
    for (const [label, payload] of cases) await assertRefused(stack, await hs(payload), 'UNAUTHORIZED', label);
  });

  test('expiry past the clock tolerance is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    await assertRefused(stack, await hs(claims({ iat: now - 700, exp: now - 40 })), 'TOKEN_EXPIRED', 'expired 40 s ago, tolerance 30 s');
    const { viaGateway } = await tryToken(stack, await hs(claims({ iat: now - 700, exp: now - 5 })));
    assert.equal(viaGateway.status, 200, 'a token 5 s past exp is within the 30 s tolerance');
  });

  test('logout revokes the access token at once', async () => {
    const { pair } = await registerUser(stack);
    const logout = await call(stack.url, 'POST', '/api/auth/logout', { token: pair.access_token });
    assert.equal(logout.status, 200);
    await assertRevoked(stack, stack.url, pair.access_token);
    const refresh = await call(stack.url, 'POST', '/api/auth/refresh', { body: { refresh_token: pair.refresh_token } });
    assert.equal(refresh.status, 401);
    assert.equal(refresh.body.error.code, 'INVALID_REFRESH_TOKEN');
  });

  test('revocation survives a gateway restart', async () => {
    const { pair } = await registerUser(stack);
    const logout = await call(stack.url, 'POST', '/api/auth/logout', { token: pair.access_token });
    assert.equal(logout.status, 200);
    // A new gateway on the same data folder stands for this one after a crash or a restart.
    const { gateway } = await startExtraGateway(stack, {});
    try {
      await assertRevoked(stack, gateway.url, pair.access_token);
    } finally {
      await gateway.close();
    }
  });

  test('legacy logout path revokes the token', async () => {
    const { pair } = await registerUser(stack);
    const logout = await call(stack.url, 'POST', '/auth/logout', { token: pair.access_token });
    assert.equal(logout.status, 200);
    await assertRevoked(stack, stack.url, pair.access_token);
  });

  test('refresh token reuse revokes the whole chain', async () => {
    const { pair } = await registerUser(stack);
    const first = await call(stack.url, 'POST', '/api/auth/refresh', { body: { refresh_token: pair.refresh_token } });
    assert.equal(first.status, 200);
    const second = await call(stack.url, 'POST', '/api/auth/refresh', { body: { refresh_token: first.body.refresh_token } });
    assert.equal(second.status, 200);

    // A thief replays the first token: the chain ends, the newest token included.
    const replay = await call(stack.url, 'POST', '/api/auth/refresh', { body: { refresh_token: pair.refresh_token } });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error.code, 'INVALID_REFRESH_TOKEN');
    const newest = await call(stack.url, 'POST', '/api/auth/refresh', { body: { refresh_token: second.body.refresh_token } });
    assert.equal(newest.status, 401);
    assert.equal(newest.body.error.code, 'INVALID_REFRESH_TOKEN');
    const profile = await call(stack.url, 'GET', '/api/auth/profile', { token: second.body.access_token });
    assert.equal(profile.status, 401, 'the auth service still accepted an access token of the revoked session');
    assert.equal(profile.body.error.code, 'TOKEN_REVOKED');
  });

  test('password change ends every session', async () => {
    const { account, pair } = await registerUser(stack);
    const other = await call(stack.url, 'POST', '/api/auth/login', { body: { username: account.username, password: account.password } });
    assert.equal(other.status, 200);

    const wrong = await call(stack.url, 'POST', '/api/auth/password', { token: pair.access_token, body: { current_password: 'guess-guess', new_password: 'a-new-password-1' } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');

    const changed = await call(stack.url, 'POST', '/api/auth/password', {
      token: pair.access_token,
      body: { current_password: account.password, new_password: `${account.password}-2` },
    });
    assert.equal(changed.status, 200);
    assert.equal(typeof changed.body.access_token, 'string');

    const reused = await call(stack.url, 'GET', '/api/chat/history', { token: pair.access_token });
    assert.equal(reused.status, 401, 'the gateway still accepted the access token that changed the password');
    assert.equal(reused.body.error.code, 'TOKEN_REVOKED');
    for (const refreshToken of [pair.refresh_token, other.body.refresh_token]) {
      const refresh = await call(stack.url, 'POST', '/api/auth/refresh', { body: { refresh_token: refreshToken } });
      assert.equal(refresh.status, 401);
    }
    const otherProfile = await call(stack.url, 'GET', '/api/auth/profile', { token: other.body.access_token });
    assert.equal(otherProfile.status, 401);
    assert.equal(otherProfile.body.error.code, 'TOKEN_REVOKED');
    const fresh = await call(stack.url, 'GET', '/api/auth/profile', { token: changed.body.access_token });
    assert.equal(fresh.status, 200);
  });
});

describe('eddsa mode', () => {
  let stack: AttackStack;
  before(async () => {
    stack = await startAttackStack('tokens-eddsa', {
      // No JWT_SECRET_KEY anywhere: the gateway and the chat service hold public keys only.
      env: { JWT_MODE: 'eddsa', JWT_SECRET_KEY: '', JWT_KEY_ACTIVATION_DELAY_SECONDS: '1', JWT_KEYS_RELOAD_SECONDS: '1', JWT_JWKS_COOLDOWN_SECONDS: '0' },
      gatewayEnv: { RATE_LIMITS: 'off' },
    });
  });
  after(() => stack?.close());

  test('needs no signing secret outside the auth service', () => {
    assert.equal(existsSync(join(stack.env.DATA_DIR!, 'secrets', 'jwt-secret-key.txt')), false, 'a shared secret was generated');
  });

  test('key set is published through the gateway', async () => {
    const keys = await call(stack.url, 'GET', '/.well-known/jwks.json');
    assert.equal(keys.status, 200);
    assert.equal(keys.body.keys.length, 1);
    assert.equal(keys.body.keys[0].kty, 'OKP');
    assert.equal(keys.body.keys[0].d, undefined);
  });

  test('HS256 keyed with the public key is refused', async () => {
    const { pair } = await registerUser(stack);
    assert.equal((await tryToken(stack, pair.access_token)).viaGateway.status, 200);

    const jwk = (await call(stack.url, 'GET', '/.well-known/jwks.json')).body.keys[0] as JWK & { kid: string };
    const publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
    const candidates: Array<[string, Uint8Array]> = [
      ['raw key bytes', base64url.decode(jwk.x!)],
      ['JWK JSON', new TextEncoder().encode(JSON.stringify(jwk))],
      ['SPKI DER', new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))],
      ['SPKI PEM', new TextEncoder().encode(publicKey.export({ format: 'pem', type: 'spki' }) as string)],
    ];
    for (const [label, key] of candidates) {
      const forged = await hs(claims(), 'HS256', key, { kid: jwk.kid });
      await assertRefused(stack, forged, 'UNAUTHORIZED', `HS256 with the ${label}`);
    }
    await assertRefused(stack, handmade({ alg: 'none', kid: jwk.kid }, claims()), 'UNAUTHORIZED', 'alg none with a known kid');
  });

  test('token signed by an unknown key is refused', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('ed25519');
    const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'EdDSA', kid: 'attacker-key' }).sign(privateKey);
    await assertRefused(stack, forged, 'UNAUTHORIZED', 'unknown kid');
    const jwk = (await call(stack.url, 'GET', '/.well-known/jwks.json')).body.keys[0] as { kid: string };
    const wrongKey = await new SignJWT(claims()).setProtectedHeader({ alg: 'EdDSA', kid: jwk.kid }).sign(privateKey);
    await assertRefused(stack, wrongKey, 'UNAUTHORIZED', 'known kid, other key');
  });

  test('key rotation logs out nobody', async () => {
    const { account, pair } = await registerUser(stack);
    const oldKid = decodeProtectedHeader(pair.access_token).kid;

    const rotation = spawnSync(process.execPath, ['--import', 'tsx', join(repositoryRoot, 'src/auth/rotate-keys.ts')], {
      cwd: repositoryRoot,
      env: { PATH: process.env.PATH, ...stack.env, JWT_MODE: 'eddsa', JWT_SECRET_KEY: '' } as NodeJS.ProcessEnv,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(rotation.status, 0, rotation.stderr);
    assert.match(rotation.stdout, /New signing key /);

    // The running service reads the key folder every second and signs with the new key once it activates.
    let newToken = '';
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const login = await call(stack.url, 'POST', '/api/auth/login', { body: { username: account.username, password: account.password } });
      assert.equal(login.status, 200);
      if (decodeProtectedHeader(login.body.access_token).kid !== oldKid) {
        newToken = login.body.access_token;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(newToken, 'the auth service never signed with the rotated key');

    for (const [label, token] of [['old key', pair.access_token], ['new key', newToken]]) {
      const { viaGateway, direct } = await tryToken(stack, token);
      assert.equal(viaGateway.status, 200, `${label}: gateway answered ${viaGateway.status}`);
      assert.equal(direct.status, 200, `${label}: chat service answered ${direct.status}`);
      assert.equal((await call(stack.url, 'GET', '/api/auth/profile', { token })).status, 200, `${label}: auth service refused it`);
    }
    const refreshed = await call(stack.url, 'POST', '/api/auth/refresh', { body: { refresh_token: pair.refresh_token } });
    assert.equal(refreshed.status, 200, 'the session from before the rotation ended');
    const keys = await call(stack.url, 'GET', '/.well-known/jwks.json');
    assert.equal(keys.body.keys.length, 2, 'the replaced key left the key set before its tokens expired');
  });
});
