import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newAccount, startTestAuthService, type TestAuthService } from './test-helpers.ts';

let auth: TestAuthService;
before(async () => {
  auth = await startTestAuthService('authlogout');
});
after(() => auth.stop());

interface Pair {
  user: { id: string };
  access_token: string;
  refresh_token: string;
}

async function register(): Promise<{ account: ReturnType<typeof newAccount>; pair: Pair }> {
  const account = newAccount('Logout');
  const response = await auth.client.post('/auth/register', account);
  assert.equal(response.status, 201);
  return { account, pair: response.body };
}

async function login(account: ReturnType<typeof newAccount>): Promise<Pair> {
  const response = await auth.client.post('/auth/login', { username: account.username, password: account.password });
  assert.equal(response.status, 200);
  return response.body;
}

describe('POST /auth/logout', () => {
  it('revokes the access token and the refresh chain of its session', async () => {
    const { pair } = await register();
    const rotated = (await auth.client.post('/auth/refresh', { refresh_token: pair.refresh_token })).body as Pair;

    const response = await auth.client.post('/auth/logout', undefined, rotated.access_token);
    assert.equal(response.status, 200);
    assert.equal(response.body.logged_out, true);
    assert.equal(typeof response.body.meta.request_id, 'string');

    const profile = await auth.client.get('/auth/profile', rotated.access_token);
    assert.equal(profile.status, 401);
    assert.equal(profile.body.error.code, 'TOKEN_REVOKED');
    assert.match(profile.headers.get('www-authenticate') ?? '', /^Bearer /);

    const refresh = await auth.client.post('/auth/refresh', { refresh_token: rotated.refresh_token });
    assert.equal(refresh.status, 401);
    assert.equal(refresh.body.error.code, 'INVALID_REFRESH_TOKEN');
  });

  it('revokes the family of the refresh token in the body', async () => {
    const { account, pair } = await register();
    const other = await login(account);

    // The access token of one session logs out the session of the given refresh token as well.
    const response = await auth.client.post('/auth/logout', { refresh_token: other.refresh_token }, pair.access_token);
    assert.equal(response.status, 200);

    assert.equal((await auth.client.post('/auth/refresh', { refresh_token: other.refresh_token })).status, 401);
    assert.equal((await auth.client.post('/auth/refresh', { refresh_token: pair.refresh_token })).status, 401);
  });

  it('keeps the other sessions of the user', async () => {
    const { account, pair } = await register();
    const other = await login(account);

    assert.equal((await auth.client.post('/auth/logout', {}, pair.access_token)).status, 200);

    assert.equal((await auth.client.get('/auth/profile', other.access_token)).status, 200);
    assert.equal((await auth.client.post('/auth/refresh', { refresh_token: other.refresh_token })).status, 200);
  });

  it('ignores a refresh token of another user', async () => {
    const alice = await register();
    const bob = await register();

    const response = await auth.client.post('/auth/logout', { refresh_token: bob.pair.refresh_token }, alice.pair.access_token);
    assert.equal(response.status, 200);

    const bobRefresh = await auth.client.post('/auth/refresh', { refresh_token: bob.pair.refresh_token });
    assert.equal(bobRefresh.status, 200);
  });

  it('requires an access token', async () => {
    const { pair } = await register();
    const response = await auth.client.post('/auth/logout', { refresh_token: pair.refresh_token });
    assert.equal(response.status, 401);
    assert.equal(response.body.error.code, 'UNAUTHORIZED');
    assert.equal((await auth.client.post('/auth/refresh', { refresh_token: pair.refresh_token })).status, 200);
  });

  it('rejects a second logout with the same access token', async () => {
    const { pair } = await register();
    assert.equal((await auth.client.post('/auth/logout', undefined, pair.access_token)).status, 200);
    const again = await auth.client.post('/auth/logout', undefined, pair.access_token);
    assert.equal(again.status, 401);
    assert.equal(again.body.error.code, 'TOKEN_REVOKED');
  });

  it('names a mistyped refresh_token', async () => {
    const { pair } = await register();
    const response = await auth.client.post('/auth/logout', { refresh_token: 7 }, pair.access_token);
    assert.equal(response.status, 400);
    assert.equal(response.body.error.details[0].field, 'refresh_token');
  });
});
