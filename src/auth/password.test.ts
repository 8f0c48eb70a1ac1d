import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newAccount, startTestAuthService, type TestAuthService } from './test-helpers.ts';

let auth: TestAuthService;
before(async () => {
  auth = await startTestAuthService('authpassword');
});
after(() => auth.stop());

async function registerAndLoginTwice() {
  const account = newAccount('Pw');
  const first = await auth.client.post('/auth/register', account);
  assert.equal(first.status, 201);
  const second = await auth.client.post('/auth/login', { username: account.username, password: account.password });
  assert.equal(second.status, 200);
  return { account, first: first.body, second: second.body };
}

describe('POST /auth/password', () => {
  it('changes the password and ends every session', async () => {
    const { account, first, second } = await registerAndLoginTwice();
    const newPassword = `${account.password}-new`;

    const changed = await auth.client.post('/auth/password', { current_password: account.password, new_password: newPassword }, first.access_token);
    assert.equal(changed.status, 200);
    assert.equal(changed.headers.get('cache-control'), 'no-store');
    assert.equal(typeof changed.body.access_token, 'string');
    assert.equal(typeof changed.body.refresh_token, 'string');

    // Both earlier sessions are gone: their refresh tokens and access tokens.
    for (const session of [first, second]) {
      const refreshed = await auth.client.post('/auth/refresh', { refresh_token: session.refresh_token });
      assert.equal(refreshed.status, 401);
      assert.equal(refreshed.body.error.code, 'INVALID_REFRESH_TOKEN');
      const profile = await auth.client.get('/auth/profile', session.access_token);
      assert.equal(profile.status, 401);
      assert.equal(profile.body.error.code, 'TOKEN_REVOKED');
    }

    // The new session works, and only the new password logs in.
    assert.equal((await auth.client.get('/auth/profile', changed.body.access_token)).status, 200);
    assert.equal((await auth.client.post('/auth/refresh', { refresh_token: changed.body.refresh_token })).status, 200);
    const oldLogin = await auth.client.post('/auth/login', { username: account.username, password: account.password });
    assert.equal(oldLogin.status, 401);
    const newLogin = await auth.client.post('/auth/login', { username: account.username, password: newPassword });
    assert.equal(newLogin.status, 200);
  });

  it('rejects a wrong current password', async () => {
    const { account, first } = await registerAndLoginTwice();
    const response = await auth.client.post('/auth/password', { current_password: 'not-the-password', new_password: 'another-password-1' }, first.access_token);
    assert.equal(response.status, 401);
    assert.equal(response.body.error.code, 'INVALID_CREDENTIALS');
    assert.equal((await auth.client.get('/auth/profile', first.access_token)).status, 200);
    const login = await auth.client.post('/auth/login', { username: account.username, password: account.password });
    assert.equal(login.status, 200);
  });

  it('validates the new password', async () => {
    const { account, first } = await registerAndLoginTwice();
    const cases: Array<[unknown, string]> = [
      [{ current_password: account.password, new_password: 'short' }, 'new_password'],
      [{ current_password: account.password, new_password: account.password }, 'new_password'],
      [{ current_password: account.password }, 'new_password'],
      [{ new_password: 'long-enough-password' }, 'current_password'],
    ];
    for (const [body, field] of cases) {
      const response = await auth.client.post('/auth/password', body, first.access_token);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.body.error.code, 'VALIDATION_FAILED');
      assert.ok(response.body.error.details.some((detail: { field: string }) => detail.field === field), JSON.stringify(response.body));
    }
  });

  it('needs an access token', async () => {
    const response = await auth.client.post('/auth/password', { current_password: 'a', new_password: 'long-enough-password' });
    assert.equal(response.status, 401);
    assert.equal(response.body.error.code, 'UNAUTHORIZED');
  });
});
