import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newAccount, startTestAuthService, type TestAuthService } from './test-helpers.ts';

let auth: TestAuthService;
before(async () => {
  auth = await startTestAuthService('authrefresh', { REFRESH_TOKEN_TTL_SECONDS: '3600' });
});
after(() => auth.stop());

async function register() {
  const response = await auth.client.post('/auth/register', newAccount('Refresh'));
  assert.equal(response.status, 201);
  return response.body as { user: { id: string }; access_token: string; refresh_token: string };
}

function refresh(token: unknown) {
  return auth.client.post('/auth/refresh', { refresh_token: token });
}

describe('POST /auth/refresh', () => {
  it('returns a new pair and retires the old refresh token', async () => {
    const session = await register();
    const rotated = await refresh(session.refresh_token);

    assert.equal(rotated.status, 200);
    assert.equal(rotated.headers.get('cache-control'), 'no-store');
    assert.equal(rotated.body.user.id, session.user.id);
    assert.notEqual(rotated.body.refresh_token, session.refresh_token);
    assert.notEqual(rotated.body.access_token, session.access_token);
    assert.equal(rotated.body.refresh_expires_in, 3600);

    const profile = await auth.client.get('/auth/profile', rotated.body.access_token);
    assert.equal(profile.status, 200);

    const again = await refresh(rotated.body.refresh_token);
    assert.equal(again.status, 200);
  });

  it('keeps the session id across rotations', async () => {
    const session = await register();
    const rotated = await refresh(session.refresh_token);
    const sid = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid;
    assert.equal(typeof sid(session.access_token), 'string');
    assert.equal(sid(rotated.body.access_token), sid(session.access_token));
  });

  it('revokes the whole chain when a rotated token is reused', async () => {
    const session = await register();
    const second = await refresh(session.refresh_token);
    assert.equal(second.status, 200);

    const replay = await refresh(session.refresh_token);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error.code, 'INVALID_REFRESH_TOKEN');

    const newer = await refresh(second.body.refresh_token);
    assert.equal(newer.status, 401, 'the newest token of the chain must stop working too');
    assert.equal(newer.body.error.code, 'INVALID_REFRESH_TOKEN');

    const profile = await auth.client.get('/auth/profile', second.body.access_token);
    assert.equal(profile.status, 401);
    assert.equal(profile.body.error.code, 'TOKEN_REVOKED');
  });

  it('leaves other sessions of the user alone after a reuse', async () => {
    const account = newAccount('Sessions');
    const first = await auth.client.post('/auth/register', account);
    const other = await auth.client.post('/auth/login', { username: account.username, password: account.password });
    await refresh(first.body.refresh_token);
    assert.equal((await refresh(first.body.refresh_token)).status, 401);

    const untouched = await refresh(other.body.refresh_token);
    assert.equal(untouched.status, 200);
  });

  it('lets exactly one of concurrent refreshes of one token succeed', async () => {
    const session = await register();
    const responses = await Promise.all(Array.from({ length: 6 }, () => refresh(session.refresh_token)));
    const statuses = responses.map((response) => response.status).sort();
    assert.deepEqual(statuses, [200, 401, 401, 401, 401, 401]);
    for (const response of responses.filter((r) => r.status === 401)) {
      assert.equal(response.body.error.code, 'INVALID_REFRESH_TOKEN');
    }
  });

  it('rejects an expired refresh token', async () => {
    const session = await register();
    auth.clock.advanceSeconds(3601);
    try {
      const response = await refresh(session.refresh_token);
      assert.equal(response.status, 401);
      assert.equal(response.body.error.code, 'INVALID_REFRESH_TOKEN');
    } finally {
      auth.clock.advanceSeconds(-3601);
    }
  });

  it('accepts a refresh token just before it expires', async () => {
    const session = await register();
    auth.clock.advanceSeconds(3590);
    try {
      const response = await refresh(session.refresh_token);
      assert.equal(response.status, 200);
    } finally {
      auth.clock.advanceSeconds(-3590);
    }
  });

  it('rejects unknown and malformed tokens', async () => {
    for (const token of ['A'.repeat(43), 'not a token', 'x']) {
      const response = await refresh(token);
      assert.equal(response.status, 401, `token ${token}`);
      assert.equal(response.body.error.code, 'INVALID_REFRESH_TOKEN');
    }
  });

  it('rejects an access token used as a refresh token', async () => {
    const session = await register();
    const response = await refresh(session.access_token);
    assert.equal(response.status, 401);
    assert.equal(response.body.error.code, 'INVALID_REFRESH_TOKEN');
  });

  it('names a missing or mistyped refresh_token', async () => {
    for (const body of [{}, { refresh_token: 12345 }, { refresh_token: '' }]) {
      const response = await auth.client.post('/auth/refresh', body);
      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'VALIDATION_FAILED');
      assert.equal(response.body.error.details[0].field, 'refresh_token');
    }
  });
});
