/**
 * The whole flow through the gateway, with the three services running as real
 * processes on free ports: the walk-through of the README, then the chat
 * service stopped and started again under a running gateway.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestStorage, type TestStorage } from '../src/common/test-support.ts';
import { startServiceProcess, waitFor, type ServiceProcess } from './support/processes.ts';

let storage: TestStorage;
let auth: ServiceProcess;
let chat: ServiceProcess;
let gateway: ServiceProcess;

interface JsonResponse {
  status: number;
  headers: Headers;
  body: any;
  elapsedMs: number;
}

async function call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const started = performance.now();
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  const elapsedMs = performance.now() - started;
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null, elapsedMs };
}

before(async () => {
  storage = createTestStorage('e2e');
  const shared = { ...storage.env, LOG_LEVEL: 'info' };
  [auth, chat] = await Promise.all([
    startServiceProcess('auth', 'src/auth/main.ts', shared),
    startServiceProcess('chat', 'src/chat/main.ts', { ...shared, PERSONA_STREAM_DELAY_MS: '0' }),
  ]);
  gateway = await startServiceProcess('gateway', 'src/gateway/main.ts', {
    ...shared,
    AUTH_SERVICE_URL: auth.url,
    CHAT_SERVICE_URL: chat.url,
    HEALTH_CHECK_INTERVAL_MS: '500',
    BREAKER_OPEN_MS: '500',
  });
});

after(async () => {
  await Promise.all([gateway, chat, auth].filter(Boolean).map((service) => service.stop()));
  await storage?.cleanup();
});

test('full flow through the gateway, then chat service outage and recovery', async (t) => {
  const username = `ada_${Date.now().toString(36)}`;
  const password = 'correct horse battery';
  let access = '';
  let refresh = '';

  await t.test('register', async () => {
    const response = await call('POST', '/api/auth/register', { body: { username, email: `${username}@example.com`, password } });
    assert.equal(response.status, 201);
    assert.equal(response.body.user.username, username);
    assert.equal(typeof response.body.access_token, 'string');
    assert.equal(typeof response.body.meta.request_id, 'string');
    assert.equal(response.headers.get('x-request-id'), response.body.meta.request_id);
  });

  await t.test('login', async () => {
    const response = await call('POST', '/api/auth/login', { body: { username, password } });
    assert.equal(response.status, 200);
    access = response.body.access_token;
    refresh = response.body.refresh_token;
    const wrong = await call('POST', '/api/auth/login', { body: { username, password: 'not the password' } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');
  });

  await t.test('profile', async () => {
    const response = await call('GET', '/api/auth/profile', { token: access });
    assert.equal(response.status, 200);
    assert.equal(response.body.user.username, username);
    const anonymous = await call('GET', '/api/auth/profile');
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  let conversationId = '';
  await t.test('messages', async () => {
    const first = await call('POST', '/api/chat/message', { token: access, body: { message: 'Is it true that all metals are magnetic?' } });
    assert.equal(first.status, 201);
    conversationId = first.body.conversation_id;
    assert.equal(first.body.message.content, 'Is it true that all metals are magnetic?');
    assert.equal(first.body.reply.role, 'assistant');
    assert.ok(first.body.reply.content.length > 20);
    for (const message of ['What is a theory, then?', 'Tell me about quantum energy.']) {
      const next = await call('POST', '/api/chat/message', { token: access, body: { message, context: { conversation_id: conversationId } } });
      assert.equal(next.status, 201);
      assert.equal(next.body.conversation_id, conversationId);
    }
  });

  await t.test('history over two pages', async () => {
    const first = await call('GET', `/api/chat/history?limit=4&conversation_id=${conversationId}`, { token: access });
    assert.equal(first.status, 200);
    assert.equal(first.body.messages.length, 4);
    assert.equal(typeof first.body.next_cursor, 'string');
    const second = await call('GET', `/api/chat/history?limit=4&conversation_id=${conversationId}&cursor=${encodeURIComponent(first.body.next_cursor)}`, { token: access });
    assert.equal(second.status, 200);
    assert.equal(second.body.messages.length, 2);
    assert.equal(second.body.next_cursor, null);
    const ids = [...first.body.messages, ...second.body.messages].map((message: { id: string }) => message.id);
    assert.equal(new Set(ids).size, 6);
    assert.equal(second.body.messages.at(-1).content, 'Is it true that all metals are magnetic?');
  });

  await t.test('avatar generate and fetch', async () => {
    const generated = await call('POST', '/api/chat/avatar', { token: access, body: { seed: 'e2e' } });
    assert.equal(generated.status, 201);
    const current = await call('GET', '/api/chat/avatar', { token: access });
    assert.equal(current.status, 200);
    assert.equal(current.body.avatar.id, generated.body.avatar.id);
    // The URL works as an <img src>: no Authorization header.
    const image = await fetch(`${gateway.url}${current.body.avatar.url}`);
    assert.equal(image.status, 200);
    assert.match(image.headers.get('content-type') ?? '', /^image\/svg\+xml/);
    assert.match(await image.text(), /^<svg[\s>]/);
  });

  await t.test('dashboard', async () => {
    const response = await call('GET', '/api/dashboard', { token: access });
    assert.equal(response.status, 200);
    assert.equal(response.body.profile.username, username);
    assert.ok(response.body.chat_history.messages.length > 0);
    assert.equal(typeof response.body.avatar.url, 'string');
    assert.equal(response.body.meta.profile_available, true);
    assert.equal(response.body.meta.history_available, true);
    assert.equal(response.body.meta.avatar_available, true);
  });

  await t.test('refresh rotates and reuse is refused', async () => {
    const rotated = await call('POST', '/api/auth/refresh', { body: { refresh_token: refresh } });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.refresh_token, refresh);
    const reused = await call('POST', '/api/auth/refresh', { body: { refresh_token: refresh } });
    assert.equal(reused.status, 401);
    assert.equal(reused.body.error.code, 'INVALID_REFRESH_TOKEN');
    // Reuse revoked the whole chain, so the rotated token is dead too.
    const chained = await call('POST', '/api/auth/refresh', { body: { refresh_token: rotated.body.refresh_token } });
    assert.equal(chained.status, 401);
  });

  await t.test('logout refuses the old access token', async () => {
    const login = await call('POST', '/api/auth/login', { body: { username, password } });
    access = login.body.access_token;
    const loggedOut = await call('POST', '/api/auth/logout', { token: access, body: { refresh_token: login.body.refresh_token } });
    assert.equal(loggedOut.status, 200);
    const profile = await call('GET', '/api/auth/profile', { token: access });
    assert.equal(profile.status, 401);
    const history = await call('GET', '/api/chat/history', { token: access });
    assert.equal(history.status, 401);
    const refreshed = await call('POST', '/api/auth/refresh', { body: { refresh_token: login.body.refresh_token } });
    assert.equal(refreshed.status, 401);
  });

  await t.test('chat service down: partial dashboard, fast 503, degraded health', async () => {
    const login = await call('POST', '/api/auth/login', { body: { username, password } });
    access = login.body.access_token;
    await chat.stop();

    const dashboard = await call('GET', '/api/dashboard', { token: access });
    assert.equal(dashboard.status, 200);
    assert.equal(dashboard.body.profile.username, username);
    assert.equal(dashboard.body.chat_history, null);
    assert.equal(dashboard.body.meta.history_available, false);
    assert.equal(dashboard.body.meta.profile_available, true);

    const history = await call('GET', '/api/chat/history', { token: access });
    assert.equal(history.status, 503);
    assert.equal(history.body.error.code, 'UPSTREAM_UNAVAILABLE');
    assert.ok(history.elapsedMs < 1000, `503 took ${history.elapsedMs} ms`);
    assert.doesNotMatch(JSON.stringify(history.body), /127\.0\.0\.1|ECONNREFUSED|:\d{4,5}/);

    await waitFor(`${gateway.url}/health`, () => true);
    const health = await call('GET', '/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'degraded');
    assert.equal(health.body.services.auth.status, 'healthy');
    assert.notEqual(health.body.services.chat.status, 'healthy');
  });

  await t.test('chat service back: traffic recovers without a gateway restart', async () => {
    chat = await startServiceProcess('chat', 'src/chat/main.ts', { ...storage.env, LOG_LEVEL: 'info', PERSONA_STREAM_DELAY_MS: '0' }, chat.port);
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await call('GET', '/api/chat/history', { token: access })).status;
      if (status === 200) break;
      await new Promise((done) => setTimeout(done, 200));
    }
    assert.equal(status, 200);
    const health = await call('GET', '/health');
    assert.equal(health.body.services.chat.status, 'healthy');
  });

  await t.test('log lines carry request ids and no secrets', () => {
    const lines = gateway.output().split('\n').filter((line) => line.startsWith('{'));
    assert.ok(lines.length > 10);
    const requestLines = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request completed');
    assert.ok(requestLines.length > 10);
    for (const entry of requestLines) assert.equal(typeof entry.reqId, 'string');
    for (const service of [gateway, auth, chat]) {
      assert.ok(!service.output().includes(access), `${service.name} logged an access token`);
      assert.ok(!service.output().includes(password), `${service.name} logged a password`);
    }
  });
});
