import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { TEST_JWT_SECRET } from '../common/test-support.ts';
import { newAccount, startTestAuthService, type TestAuthService } from './test-helpers.ts';

let auth: TestAuthService;
let user: { id: string; username: string; email: string; created_at: string };
let accessToken: string;

before(async () => {
  auth = await startTestAuthService('authprofile');
  const response = await auth.client.post('/auth/register', newAccount('Profile'));
  assert.equal(response.status, 201);
  user = response.body.user;
  accessToken = response.body.access_token;
});
after(() => auth.stop());

interface TokenOptions {
  secret?: string;
  issuer?: string;
  audience?: string;
  issuedAt?: number;
  expiresAt?: number;
  subject?: string;
}

/** Signs a token like the service does, with any part replaced. */
function signToken(options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ username: user.username, sid: randomUUID() })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject ?? user.id)
    .setIssuer(options.issuer ?? 'mad-scientist-auth')
    .setAudience(options.audience ?? 'mad-scientist')
    .setIssuedAt(options.issuedAt ?? now)
    .setExpirationTime(options.expiresAt ?? now + 300)
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

describe('GET /auth/profile', () => {
  it('returns the user of the access token', async () => {
    const response = await auth.client.get('/auth/profile', accessToken);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.user, user);
    assert.equal(response.body.meta.request_id, response.headers.get('x-request-id'));
  });

  it('accepts a token signed elsewhere with the shared secret', async () => {
    const response = await auth.client.get('/auth/profile', await signToken());
    assert.equal(response.status, 200);
    assert.equal(response.body.user.id, user.id);
  });

  it('returns 401 TOKEN_EXPIRED with a challenge for an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await signToken({ issuedAt: now - 3600, expiresAt: now - 600 });
    const response = await auth.client.get('/auth/profile', expired);
    assert.equal(response.status, 401);
    assert.equal(response.body.error.code, 'TOKEN_EXPIRED');
    const challenge = response.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer /);
    assert.match(challenge, /error="invalid_token"/);
  });

  const rejected: Array<[string, () => Promise<string>]> = [
    ['a token signed with another secret', () => signToken({ secret: 'another-secret-0123456789-abcdefghijklmnop' })],
    ['a token from another issuer', () => signToken({ issuer: 'someone-else' })],
    ['a token for another audience', () => signToken({ audience: 'another-app' })],
    ['an unsigned token', async () => new UnsecuredJWT({ sub: user.id, username: user.username, jti: randomUUID() }).setIssuedAt().setExpirationTime('5m').setIssuer('mad-scientist-auth').setAudience('mad-scientist').encode()],
    ['a token with a changed payload', async () => {
      const [header, , signature] = accessToken.split('.');
      const payload = Buffer.from(JSON.stringify({ sub: randomUUID(), username: 'intruder', exp: 4102444800 })).toString('base64url');
      return `${header}.${payload}.${signature}`;
    }],
    ['a token for a subject that is not a user id', () => signToken({ subject: 'admin' })],
  ];
  for (const [name, token] of rejected) {
    it(`returns 401 for ${name}`, async () => {
      const response = await auth.client.get('/auth/profile', await token());
      assert.equal(response.status, 401);
      assert.equal(response.body.error.code, 'UNAUTHORIZED');
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
    });
  }

  it('returns 401 for a valid token of a user that does not exist', async () => {
    const response = await auth.client.get('/auth/profile', await signToken({ subject: randomUUID() }));
    assert.equal(response.status, 401);
    assert.equal(response.body.error.code, 'UNAUTHORIZED');
  });

  it('returns 401 without an Authorization header or with another scheme', async () => {
    const missing = await auth.client.get('/auth/profile');
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error.code, 'UNAUTHORIZED');
    assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/);

    const basic = await fetch(`${auth.service.url}/auth/profile`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    assert.equal(basic.status, 401);
    assert.equal((await basic.json()).error.code, 'UNAUTHORIZED');
  });
});
