import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newAccount, startTestAuthService, type TestAuthService } from './test-helpers.ts';

let auth: TestAuthService;
before(async () => {
  auth = await startTestAuthService('authregister');
});
after(() => auth.stop());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function fieldsOf(body: { error?: { details?: Array<{ field: string }> } }): string[] {
  return (body.error?.details ?? []).map((detail) => detail.field).sort();
}

describe('POST /auth/register', () => {
  it('creates the user and returns a token pair', async () => {
    const account = newAccount('Reg');
    const response = await auth.client.post('/auth/register', account);

    assert.equal(response.status, 201);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const { user, access_token, refresh_token, token_type, expires_in, refresh_expires_in, meta } = response.body;
    assert.match(user.id, UUID);
    assert.equal(user.username, account.username);
    assert.equal(user.email, account.email.toLowerCase());
    assert.ok(!Number.isNaN(Date.parse(user.created_at)), `created_at is not a date: ${user.created_at}`);
    assert.deepEqual(Object.keys(user).sort(), ['created_at', 'email', 'id', 'username']);
    assert.equal(typeof access_token, 'string');
    assert.match(refresh_token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(token_type, 'Bearer');
    assert.equal(expires_in, 900);
    assert.equal(refresh_expires_in, 604800);
    assert.equal(meta.request_id, response.headers.get('x-request-id'));
  });

  it('never returns the password or its hash', async () => {
    const account = newAccount();
    const registered = await auth.client.post('/auth/register', account);
    const login = await auth.client.post('/auth/login', { username: account.username, password: account.password });
    const profile = await auth.client.get('/auth/profile', registered.body.access_token);
    for (const response of [registered, login, profile]) {
      const text = JSON.stringify(response.body);
      assert.doesNotMatch(text, /password/i);
      assert.doesNotMatch(text, /argon2/);
      assert.ok(!text.includes(account.password));
    }
  });

  it('stores the email in lower case and keeps the username as given', async () => {
    const account = newAccount('CamelCase');
    const response = await auth.client.post('/auth/register', { ...account, email: account.email.toUpperCase() });
    assert.equal(response.status, 201);
    assert.equal(response.body.user.email, account.email.toLowerCase());
    assert.equal(response.body.user.username, account.username);
  });

  it('names each invalid field', async () => {
    const response = await auth.client.post('/auth/register', { username: 'no spaces!', email: 'not-an-email', password: 'short' });
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'VALIDATION_FAILED');
    assert.deepEqual(fieldsOf(response.body), ['email', 'password', 'username']);
  });

  it('names each missing field', async () => {
    const response = await auth.client.post('/auth/register', {});
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'VALIDATION_FAILED');
    assert.deepEqual(fieldsOf(response.body), ['email', 'password', 'username']);
  });

  it('rejects wrong types instead of converting them', async () => {
    const response = await auth.client.post('/auth/register', { username: 12345, email: ['a@example.com'], password: 1234567890 });
    assert.equal(response.status, 400);
    assert.deepEqual(fieldsOf(response.body), ['email', 'password', 'username']);
    for (const detail of response.body.error.details) assert.equal(detail.message, 'must be string');
  });

  const lengthCases: Array<[string, Record<string, string>]> = [
    ['username', { username: 'ab' }],
    ['username', { username: 'a'.repeat(33) }],
    ['password', { password: 'x'.repeat(7) }],
    ['password', { password: 'x'.repeat(129) }],
    ['email', { email: `${'a'.repeat(250)}@example.com` }],
  ];
  for (const [field, change] of lengthCases) {
    it(`rejects ${field} of length ${Object.values(change)[0].length}`, async () => {
      const response = await auth.client.post('/auth/register', { ...newAccount(), ...change });
      assert.equal(response.status, 400);
      assert.deepEqual(fieldsOf(response.body), [field]);
    });
  }

  it('accepts the length limits', async () => {
    const shortest = await auth.client.post('/auth/register', { ...newAccount(), username: 'a.b', password: 'p'.repeat(8) });
    assert.equal(shortest.status, 201);
    const longest = await auth.client.post('/auth/register', { ...newAccount(), username: 'Z'.repeat(32), password: 'p'.repeat(128) });
    assert.equal(longest.status, 201);
  });

  it('ignores unknown fields', async () => {
    const response = await auth.client.post('/auth/register', { ...newAccount(), role: 'admin', id: 'chosen' });
    assert.equal(response.status, 201);
    assert.notEqual(response.body.user.id, 'chosen');
  });

  it('rejects a body that is not an object', async () => {
    const array = await auth.client.post('/auth/register', [newAccount()]);
    assert.equal(array.status, 400);
    assert.equal(array.body.error.code, 'VALIDATION_FAILED');

    const broken = await auth.client.request('POST', '/auth/register', { rawBody: '{"username":' });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.error.code, 'BAD_REQUEST');
  });

  it('returns 409 naming a taken username, without case', async () => {
    const account = newAccount('Taken');
    assert.equal((await auth.client.post('/auth/register', account)).status, 201);

    const response = await auth.client.post('/auth/register', { ...newAccount(), username: account.username.toLowerCase() });
    assert.equal(response.status, 409);
    assert.equal(response.body.error.code, 'CONFLICT');
    assert.deepEqual(fieldsOf(response.body), ['username']);
  });

  it('returns 409 naming a taken email, without case', async () => {
    const account = newAccount();
    assert.equal((await auth.client.post('/auth/register', account)).status, 201);

    const response = await auth.client.post('/auth/register', { ...newAccount(), email: account.email.toUpperCase() });
    assert.equal(response.status, 409);
    assert.deepEqual(fieldsOf(response.body), ['email']);
  });

  it('returns 409 naming both fields when both are taken', async () => {
    const account = newAccount();
    assert.equal((await auth.client.post('/auth/register', account)).status, 201);

    const response = await auth.client.post('/auth/register', account);
    assert.equal(response.status, 409);
    assert.deepEqual(fieldsOf(response.body), ['email', 'username']);
  });

  it('creates one account from concurrent registrations of one name', async () => {
    const account = newAccount('Race');
    const attempts = Array.from({ length: 5 }, (_, index) =>
      auth.client.post('/auth/register', { ...account, email: `race.${index}.${account.email}` }),
    );
    const responses = await Promise.all(attempts);
    const statuses = responses.map((response) => response.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409]);
    for (const response of responses.filter((r) => r.status === 409)) {
      assert.deepEqual(fieldsOf(response.body), ['username']);
    }
  });
});
