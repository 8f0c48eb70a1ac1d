import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../common/database.ts';
import { createLogger } from '../common/logger.ts';
import { TEST_JWT_SECRET } from '../common/test-support.ts';
import { PasswordHasher } from './passwords.ts';
import { buildAuthApp } from './server.ts';
import { newAccount, startTestAuthService, type TestAuthService } from './test-helpers.ts';

let auth: TestAuthService;
before(async () => {
  auth = await startTestAuthService('authserver');
});
after(() => auth.stop());

describe('auth service', () => {
  it('listens on a free loopback port', () => {
    assert.ok(auth.service.port > 0);
    assert.equal(auth.service.url, `http://127.0.0.1:${auth.service.port}`);
  });

  it('reports health with the database up', async () => {
    const response = await auth.client.get('/health');
    assert.equal(response.status, 200);
    assert.equal(response.body.status, 'healthy');
    assert.equal(response.body.service, 'auth');
    assert.deepEqual(response.body.checks, { database: 'up' });
    assert.equal(typeof response.body.uptime_seconds, 'number');
    assert.equal(typeof response.body.meta.request_id, 'string');
  });

  it('echoes a valid X-Request-Id', async () => {
    const response = await fetch(`${auth.service.url}/health`, { headers: { 'x-request-id': 'req-auth-123' } });
    assert.equal(response.headers.get('x-request-id'), 'req-auth-123');
    assert.equal((await response.json()).meta.request_id, 'req-auth-123');
  });

  it('answers unknown routes with 404 in the common format', async () => {
    const response = await auth.client.get('/auth/unknown');
    assert.equal(response.status, 404);
    assert.equal(response.body.error.code, 'NOT_FOUND');
    assert.equal(typeof response.body.meta.request_id, 'string');
  });

  it('keeps users and sessions across a restart on the same storage', async () => {
    const account = newAccount('Restart');
    const registered = await auth.client.post('/auth/register', account);
    assert.equal(registered.status, 201);

    await auth.restart();

    const login = await auth.client.post('/auth/login', { username: account.username, password: account.password });
    assert.equal(login.status, 200);
    assert.equal(login.body.user.id, registered.body.user.id);

    const refreshed = await auth.client.post('/auth/refresh', { refresh_token: registered.body.refresh_token });
    assert.equal(refreshed.status, 200);

    const duplicate = await auth.client.post('/auth/register', account);
    assert.equal(duplicate.status, 409);
  });
});

describe('GET /health with a failing database', () => {
  it('returns 503 unhealthy', async () => {
    const failing: Database = {
      kind: 'postgres',
      schema: 'auth',
      query: async () => {
        throw new Error('connect ECONNREFUSED');
      },
      transaction: async () => {
        throw new Error('connect ECONNREFUSED');
      },
      close: async () => {},
    };
    const app = buildAuthApp({
      config: {
        jwt: { secret: new TextEncoder().encode(TEST_JWT_SECRET), issuer: 'i', audience: 'a', clockToleranceSeconds: 0 },
        accessTokenTtlSeconds: 900,
        refreshTokenTtlSeconds: 3600,
      },
      logger: createLogger({ service: 'auth', level: 'silent' }),
      db: failing,
      hasher: await PasswordHasher.create(),
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/health' });
      assert.equal(response.statusCode, 503);
      const body = response.json();
      assert.equal(body.status, 'unhealthy');
      assert.deepEqual(body.checks, { database: 'down' });

      const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'someone', password: 'whatever1' } });
      assert.equal(login.statusCode, 500);
      assert.equal(login.json().error.code, 'INTERNAL_ERROR');
      assert.doesNotMatch(login.body, /ECONNREFUSED/);
    } finally {
      await app.close();
    }
  });
});
