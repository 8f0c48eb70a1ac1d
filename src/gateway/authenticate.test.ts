/**
 * Access tokens at the edge: every bad token is a 401 that reaches no
 * upstream, and a logout through the gateway revokes the token it carried.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { TEST_JWT_SECRET } from '../common/test-support.ts';
import type { AccessTokenClaims } from '../common/jwt.ts';
import { createAuthenticate } from './authenticate.ts';
import { MemoryRevocationList } from './revocation-list.ts';
import { TokenCache } from './token-cache.ts';
import { echoHandler, FakeUpstream, sendJson, signToken, startTestGateway, type TestGateway } from './test-support.ts';

let auth: FakeUpstream;
let chat: FakeUpstream;
let gateway: TestGateway;

before(async () => {
  auth = await FakeUpstream.start();
  chat = await FakeUpstream.start();
  gateway = await startTestGateway({ auth: auth.url, chat: chat.url });
});

after(async () => {
  await gateway.close();
  await auth.stop();
  await chat.stop();
});

beforeEach(() => {
  auth.requests.length = 0;
  chat.requests.length = 0;
  auth.handler = echoHandler;
});

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Builds a token with `alg: none` and no signature, carrying otherwise valid claims. */
function unsignedToken(): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: 'u', username: 'mallory', jti: 'j', iat: now, exp: now + 900, iss: 'mad-scientist-auth', aud: 'mad-scientist' };
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
}

describe('rejected access tokens', () => {
  const cases: Array<{ name: string; authorization: () => Promise<string | undefined>; code: string }> = [
    { name: 'missing header', authorization: async () => undefined, code: 'UNAUTHORIZED' },
    { name: 'not Bearer', authorization: async () => `Basic ${Buffer.from('a:b').toString('base64')}`, code: 'UNAUTHORIZED' },
    { name: 'malformed token', authorization: async () => 'Bearer not-a-jwt', code: 'UNAUTHORIZED' },
    { name: 'empty token', authorization: async () => 'Bearer ', code: 'UNAUTHORIZED' },
    { name: 'expired', authorization: async () => `Bearer ${await signToken({ expiresIn: -3600 })}`, code: 'TOKEN_EXPIRED' },
    { name: 'forged signature', authorization: async () => `Bearer ${await signToken({ secret: `${TEST_JWT_SECRET}-forged` })}`, code: 'UNAUTHORIZED' },
    { name: 'wrong issuer', authorization: async () => `Bearer ${await signToken({ issuer: 'someone-else' })}`, code: 'UNAUTHORIZED' },
    { name: 'wrong audience', authorization: async () => `Bearer ${await signToken({ audience: 'another-app' })}`, code: 'UNAUTHORIZED' },
    { name: 'alg none', authorization: async () => `Bearer ${unsignedToken()}`, code: 'UNAUTHORIZED' },
  ];
  for (const { name, authorization, code } of cases) {
    test(name, async () => {
      const value = await authorization();
      for (const path of ['/api/chat/history', '/api/auth/profile', '/api/dashboard']) {
        const response = await fetch(gateway.url + path, { headers: value === undefined ? {} : { authorization: value } });
        assert.equal(response.status, 401, path);
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
        const body = await response.json();
        assert.equal(body.error.code, code, path);
        assert.equal(body.meta.request_id, response.headers.get('x-request-id'));
      }
      assert.equal(auth.calls.length, 0, 'the auth upstream was called');
      assert.equal(chat.calls.length, 0, 'the chat upstream was called');
    });
  }
});

describe('logout', () => {
  test('a logout through the gateway revokes the access token', async () => {
    const token = await signToken();
    const headers = { authorization: `Bearer ${token}` };
    assert.equal((await fetch(`${gateway.url}/api/chat/history`, { headers })).status, 200);

    const logout = await fetch(`${gateway.url}/api/auth/logout`, { method: 'POST', headers });
    assert.equal(logout.status, 200);
    assert.equal(auth.calls.length, 1);

    for (const path of ['/api/chat/history', '/api/auth/profile', '/api/dashboard']) {
      const response = await fetch(gateway.url + path, { headers });
      assert.equal(response.status, 401, path);
      assert.equal((await response.json()).error.code, 'TOKEN_REVOKED');
    }
    assert.equal(auth.calls.length, 1, 'a revoked token reached the auth upstream');
  });

  test('a failed logout revokes nothing', async () => {
    const token = await signToken();
    const headers = { authorization: `Bearer ${token}` };
    auth.handler = (_request, response) => sendJson(response, 500, { error: { code: 'INTERNAL_ERROR', message: 'boom' }, meta: { request_id: 'x' } });
    assert.equal((await fetch(`${gateway.url}/api/auth/logout`, { method: 'POST', headers })).status, 500);
    assert.equal((await fetch(`${gateway.url}/api/chat/history`, { headers })).status, 200);
  });

  test('another token of the same user stays valid', async () => {
    const sub = 'user-with-two-sessions';
    const first = await signToken({ sub });
    const second = await signToken({ sub });
    await fetch(`${gateway.url}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${first}` } });
    assert.equal((await fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${second}` } })).status, 200);
  });
});

describe('authenticate hook', () => {
  test('verifies a token once and then serves it from the cache', async () => {
    const token = await signToken();
    const now = Math.floor(Date.now() / 1000);
    let verified = 0;
    const revocations = new MemoryRevocationList();
    const authenticate = createAuthenticate({
      verify: async () => {
        verified += 1;
        return { sub: 's', username: 'u', jti: 'cached-jti', iat: now, exp: now + 900 } as AccessTokenClaims;
      },
      cache: new TokenCache(10),
      revocations,
    });
    const request = () => ({ headers: { authorization: `Bearer ${token}` }, log: { info() {} } }) as never as Parameters<typeof authenticate>[0];
    const run = (target: Parameters<typeof authenticate>[0]) =>
      new Promise<void>((resolve, reject) => authenticate(target, {} as never, (error?: Error) => (error ? reject(error) : resolve())));
    const first = request();
    await run(first);
    await run(request());
    assert.equal(verified, 1);
    assert.equal(first.user?.jti, 'cached-jti');

    // Revocation is checked on every request, cached or not.
    revocations.revoke('cached-jti', now + 900);
    await assert.rejects(run(request()), (error: { code?: string }) => error.code === 'TOKEN_REVOKED');
    revocations.close();
  });
});
