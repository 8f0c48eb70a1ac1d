import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newAccount, startTestAuthService, type TestAuthService } from './test-helpers.ts';

let auth: TestAuthService;
const account = newAccount('Login');
let userId: string;

before(async () => {
  auth = await startTestAuthService('authlogin');
  const registered = await auth.client.post('/auth/register', account);
  assert.equal(registered.status, 201);
  userId = registered.body.user.id;
});
after(() => auth.stop());

describe('POST /auth/login', () => {
  const accepted: Array<[string, () => Record<string, string>]> = [
    ['username', () => ({ username: account.username, password: account.password })],
    ['username in another case', () => ({ username: account.username.toUpperCase(), password: account.password })],
    ['email', () => ({ email: account.email, password: account.password })],
    ['email in the username field', () => ({ username: account.email.toUpperCase(), password: account.password })],
  ];
  for (const [name, body] of accepted) {
    it(`accepts the ${name}`, async () => {
      const response = await auth.client.post('/auth/login', body());
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(response.body.user.id, userId);
      assert.equal(response.body.token_type, 'Bearer');
      assert.equal(typeof response.body.access_token, 'string');
      assert.equal(typeof response.body.refresh_token, 'string');

      const profile = await auth.client.get('/auth/profile', response.body.access_token);
      assert.equal(profile.status, 200);
      assert.equal(profile.body.user.id, userId);
    });
  }

  it('starts a separate session on each login', async () => {
    const first = await auth.client.post('/auth/login', { username: account.username, password: account.password });
    const second = await auth.client.post('/auth/login', { username: account.username, password: account.password });
    assert.notEqual(first.body.refresh_token, second.body.refresh_token);
    assert.notEqual(first.body.access_token, second.body.access_token);
  });

  it('gives the same 401 for a wrong password and an unknown user', async () => {
    const wrongPassword = await auth.client.post('/auth/login', { username: account.username, password: `${account.password}x` });
    const unknownUser = await auth.client.post('/auth/login', { username: 'nobody_at_all', password: account.password });
    const unknownEmail = await auth.client.post('/auth/login', { email: 'nobody@example.com', password: account.password });

    for (const response of [wrongPassword, unknownUser, unknownEmail]) {
      assert.equal(response.status, 401);
      assert.equal(response.body.error.code, 'INVALID_CREDENTIALS');
      assert.equal(response.body.error.message, wrongPassword.body.error.message);
      assert.equal(response.body.access_token, undefined);
    }
  });

  it('requires a username or an email', async () => {
    for (const body of [{ password: account.password }, { username: '  ', email: '', password: account.password }]) {
      const response = await auth.client.post('/auth/login', body);
      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'VALIDATION_FAILED');
      assert.equal(response.body.error.details[0].field, 'username');
    }
  });

  it('names each invalid field', async () => {
    const response = await auth.client.post('/auth/login', { username: 42, email: true, password: 12345678 });
    assert.equal(response.status, 400);
    const fields = response.body.error.details.map((detail: { field: string }) => detail.field).sort();
    assert.deepEqual(fields, ['email', 'password', 'username']);
  });

  it('requires the password', async () => {
    const response = await auth.client.post('/auth/login', { username: account.username });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body.error.details.map((detail: { field: string }) => detail.field), ['password']);
  });
});
