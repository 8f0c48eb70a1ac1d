/**
 * The production topology on loopback: real nginx with the deployment's
 * server template, in front of two gateway replicas and the real auth and
 * chat services. It checks the routing, the legacy paths, the forwarding
 * headers, server-sent events through nginx, a logout that holds on both
 * replicas (through Redis), and traffic that survives losing a replica.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startAuthService } from '../../src/auth/server.ts';
import { startChatService } from '../../src/chat/server.ts';
import type { Env } from '../../src/common/config.ts';
import { createLogger } from '../../src/common/logger.ts';
import { createTestStorage, type TestStorage } from '../../src/common/test-support.ts';
import { deleteKeys, redisSkip, testRedis } from '../../src/gateway/redis-testing.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { freePort } from '../support/processes.ts';
import { NGINX_BINARY, NginxProcess } from './nginx.ts';

const skip = existsSync(NGINX_BINARY) ? false : `nginx is not installed at ${NGINX_BINARY}: install the Debian package nginx (.ci/run does) to run this test`;
/** Pause between streamed words of a reply, so that events arriving one by one differ from one buffered burst. */
const STREAM_DELAY_MS = 25;

type Service = Awaited<ReturnType<typeof startAuthService>>;
interface Replica {
  name: string;
  gateway: RunningGateway;
  /** Headers of every request the replica received, in order. */
  received: IncomingHttpHeaders[];
}

let storage: TestStorage;
let auth: Service;
let chat: Service;
let replicas: Replica[] = [];
let nginx: NginxProcess;
let webRoot: string;
const authReceived: IncomingHttpHeaders[] = [];
const redis = redisSkip ? null : testRedis();

/** Records the headers of every request a server receives, next to the server's own handler. */
function recordRequests(server: import('node:http').Server, into: IncomingHttpHeaders[]): void {
  server.on('request', (request: import('node:http').IncomingMessage) => into.push(request.headers));
}

async function startReplica(name: string, env: Env): Promise<Replica> {
  const gateway = await startGateway(
    {
      ...storage.env,
      ...env,
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_SERVICE_URL: auth.url,
      CHAT_SERVICE_URL: chat.url,
      TRUST_FORWARDED_HEADERS: 'true',
      WEB_ROOT: join(webRoot, 'not-served-by-the-gateway'),
    },
    { logger: createLogger({ service: 'gateway', level: 'silent' }) },
  );
  const replica: Replica = { name, gateway, received: [] };
  recordRequests(gateway.app.server, replica.received);
  return replica;
}

before(async () => {
  if (skip) return;
  storage = createTestStorage('nginx');
  webRoot = mkdtempSync(join(tmpdir(), 'ms-web-'));
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Mad Scientist</title><script src="/assets/app-1a2b.js"></script>');
  writeFileSync(join(webRoot, 'assets', 'app-1a2b.js'), 'console.log("mad scientist");\n');

  [auth, chat] = await Promise.all([
    startAuthService({ ...storage.env, PORT: '0' }),
    startChatService({ ...storage.env, PORT: '0', PERSONA_STREAM_DELAY_MS: String(STREAM_DELAY_MS) }),
  ]);
  recordRequests(auth.app.server, authReceived);
  // The services run in this process, so their work can hold the event loop for longer than the
  // default 500 ms Redis command timeout; a check timed out that way would fail open.
  const shared: Env = redis ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix, REDIS_COMMAND_TIMEOUT_MS: '2000' } : {};
  replicas = [await startReplica('a', shared), await startReplica('b', shared)];
  nginx = await NginxProcess.start({
    port: await freePort(),
    gatewayPorts: replicas.map((replica) => replica.gateway.port),
    authPort: auth.port,
    chatPort: chat.port,
    webRoot,
  });
});

after(async () => {
  await nginx?.stop();
  await Promise.all(replicas.map((replica) => replica.gateway.close()));
  await Promise.all([auth?.close(), chat?.close()]);
  await storage?.cleanup();
  if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  if (redis) await deleteKeys(redis.url, redis.keyPrefix);
});

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

async function call(base: string, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(base + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body };
}

async function register(): Promise<{ username: string; password: string; access: string; refresh: string }> {
  const username = `edge_${randomUUID().slice(0, 8)}`;
  const password = 'correct horse battery';
  const reply = await call(nginx.url, 'POST', '/api/auth/register', { body: { username, email: `${username}@example.com`, password } });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return { username, password, access: reply.body.access_token, refresh: reply.body.refresh_token };
}

function receivedBy(list: IncomingHttpHeaders[], requestId: string): IncomingHttpHeaders | undefined {
  return list.find((headers) => headers['x-request-id'] === requestId);
}

test('nginx serves the web client', { skip }, async () => {
  const index = await call(nginx.url, 'GET', '/');
  assert.equal(index.status, 200);
  assert.match(index.body, /<title>Mad Scientist<\/title>/);

  const clientRoute = await call(nginx.url, 'GET', '/chat/some-conversation', { headers: { accept: 'text/html' } });
  assert.equal(clientRoute.status, 200);
  assert.match(clientRoute.body, /<title>Mad Scientist<\/title>/);

  const asset = await call(nginx.url, 'GET', '/assets/app-1a2b.js');
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  assert.equal((await call(nginx.url, 'GET', '/assets/missing.js')).status, 404);
});

test('nginx routes the API and health to the gateways', { skip }, async () => {
  const requestId = `edge-${randomUUID()}`;
  const health = await call(nginx.url, 'GET', '/health', { headers: { 'x-request-id': requestId } });
  assert.equal(health.status, 200);
  assert.equal(typeof health.body.services.auth.status, 'string');
  assert.equal(health.headers.get('x-request-id'), requestId);
  assert.ok(replicas.some((replica) => receivedBy(replica.received, requestId)), 'a gateway replica served /health');

  const user = await register();
  const profile = await call(nginx.url, 'GET', '/api/auth/profile', { token: user.access });
  assert.equal(profile.status, 200);
  assert.equal(profile.body.user.username, user.username);

  const unknown = await call(nginx.url, 'GET', '/api/unknown');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'NOT_FOUND');

  const document = await call(nginx.url, 'GET', '/openapi.json');
  assert.equal(document.status, 200);
  assert.equal(document.body.openapi, '3.1.0');
  assert.equal((await call(nginx.url, 'GET', '/metrics')).status, 404);
});

test('nginx spreads requests over both replicas', { skip }, async () => {
  const before = replicas.map((replica) => replica.received.length);
  for (let index = 0; index < 10; index += 1) assert.equal((await call(nginx.url, 'GET', '/health')).status, 200);
  for (const [position, replica] of replicas.entries()) {
    assert.ok(replica.received.length - before[position] >= 2, `replica ${replica.name} got ${replica.received.length - before[position]} of 10 requests`);
  }
});

test('nginx sends legacy paths straight to the services', { skip }, async () => {
  const user = await register();
  const requestId = `legacy-${randomUUID()}`;
  const login = await call(nginx.url, 'POST', '/auth/login', { body: { username: user.username, password: user.password }, headers: { 'x-request-id': requestId } });
  assert.equal(login.status, 200);
  assert.equal(typeof login.body.access_token, 'string');
  assert.ok(receivedBy(authReceived, requestId), 'the auth service got the legacy request');
  assert.ok(replicas.every((replica) => !receivedBy(replica.received, requestId)), 'a legacy request went through a gateway');

  const history = await call(nginx.url, 'GET', '/mad-scientist/history?limit=5', { token: login.body.access_token });
  assert.equal(history.status, 200);
  assert.deepEqual(history.body.messages, []);
  assert.equal((await call(nginx.url, 'GET', '/mad-scientist/history')).status, 401);
});

test('nginx sets the forwarding headers', { skip }, async () => {
  const user = await register();
  const requestId = `forwarded-${randomUUID()}`;
  const profile = await call(nginx.url, 'GET', '/api/auth/profile', {
    token: user.access,
    headers: { 'x-request-id': requestId, 'x-forwarded-for': '203.0.113.9', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
  });
  assert.equal(profile.status, 200);

  const atGateway = replicas.map((replica) => receivedBy(replica.received, requestId)).find(Boolean);
  assert.ok(atGateway, 'no replica got the request');
  // The client's copies are replaced at the edge: nginx saw the client at 127.0.0.1 over plain HTTP.
  assert.equal(atGateway['x-forwarded-for'], '127.0.0.1');
  assert.equal(atGateway['x-forwarded-proto'], 'http');
  assert.equal(atGateway['x-forwarded-host'], '127.0.0.1');
  assert.equal(atGateway['x-real-ip'], '127.0.0.1');

  // The gateway trusts nginx and appends nginx's address for the service.
  const atService = receivedBy(authReceived, requestId);
  assert.ok(atService, 'the auth service did not get the request');
  assert.equal(atService['x-forwarded-for'], '127.0.0.1, 127.0.0.1');
  assert.equal(atService['x-forwarded-host'], '127.0.0.1');

  const generated = await call(nginx.url, 'GET', '/health', { headers: { 'x-request-id': 'has spaces "and quotes"' } });
  assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f]{32}$/, 'nginx replaces a malformed request id with its own');
});

/** Sends a chat message asking for server-sent events and records when each event arrives. */
function streamMessage(path: string, token: string): Promise<{ status: number; headers: IncomingHttpHeaders; events: Array<{ name: string; at: number }>; reads: number }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ message: 'Tell me about your latest invention, doctor.' });
    const url = new URL(path, nginx.url);
    const request = httpRequest(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      timeout: 20_000,
    });
    request.on('timeout', () => request.destroy(new Error('no complete event stream within 20 s')));
    request.on('error', reject);
    request.on('response', (response) => {
      const events: Array<{ name: string; at: number }> = [];
      let buffer = '';
      let reads = 0;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        reads += 1;
        buffer += chunk;
        const at = performance.now();
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const name = /^event: (.+)$/m.exec(buffer.slice(0, end))?.[1] ?? 'message';
          events.push({ name, at });
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, events, reads }));
      response.on('error', reject);
    });
    request.end(body);
  });
}

function assertStreamedEventByEvent(result: Awaited<ReturnType<typeof streamMessage>>): void {
  assert.equal(result.status, 200);
  assert.match(String(result.headers['content-type']), /^text\/event-stream/);
  assert.equal(result.headers['x-accel-buffering'], undefined, 'nginx passes X-Accel-Buffering on to the client');
  const deltas = result.events.filter((event) => event.name === 'delta');
  const done = result.events.find((event) => event.name === 'done');
  assert.ok(deltas.length >= 5, `only ${deltas.length} delta events`);
  assert.ok(done, 'no done event');
  // Buffered, every event would arrive in one burst at the end. Streamed, they spread over the
  // time the reply took to write: at least half of the pauses between its words.
  const spread = done.at - deltas[0].at;
  const expected = ((deltas.length - 1) * STREAM_DELAY_MS) / 2;
  assert.ok(spread >= expected, `events arrived within ${spread.toFixed(0)} ms, expected at least ${expected} ms`);
  assert.ok(result.reads >= deltas.length / 2, `${deltas.length} events arrived in only ${result.reads} reads`);
}

test('nginx streams chat events one by one', { skip }, async () => {
  const user = await register();
  assertStreamedEventByEvent(await streamMessage('/api/chat/message', user.access));
});

test('nginx streams legacy chat events one by one', { skip }, async () => {
  const user = await register();
  assertStreamedEventByEvent(await streamMessage('/mad-scientist/message', user.access));
});

test('logout on one replica is refused on the other', { skip: skip || redisSkip }, async (t) => {
  const user = await register();
  const [first, second] = replicas;
  assert.equal((await call(second.gateway.url, 'GET', '/api/chat/history', { token: user.access })).status, 200);

  const logout = await call(first.gateway.url, 'POST', '/api/auth/logout', { token: user.access, body: { refresh_token: user.refresh } });
  assert.equal(logout.status, 200);

  const refused = await call(second.gateway.url, 'GET', '/api/chat/history', { token: user.access });
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error.code, 'TOKEN_REVOKED');
  for (let index = 0; index < 4; index += 1) {
    const throughEdge = await call(nginx.url, 'GET', '/api/chat/history', { token: user.access });
    assert.equal(throughEdge.status, 401, `request ${index} through nginx`);
    assert.equal(throughEdge.body.error.code, 'TOKEN_REVOKED');
  }

  // A replica without the shared list accepts the token: the chat service alone does not know of the logout.
  const isolated = await startReplica('isolated', {});
  t.after(() => isolated.gateway.close());
  assert.equal((await call(isolated.gateway.url, 'GET', '/api/chat/history', { token: user.access })).status, 200);
});

test('traffic survives stopping one replica', { skip }, async () => {
  const user = await register();
  const [stopped, survivor] = replicas;
  await stopped.gateway.close();

  const before = survivor.received.length;
  for (let index = 0; index < 12; index += 1) {
    const health = await call(nginx.url, 'GET', '/health');
    assert.equal(health.status, 200, `GET /health ${index} after the replica stopped`);
    const history = await call(nginx.url, 'GET', '/api/chat/history', { token: user.access });
    assert.equal(history.status, 200, `GET /api/chat/history ${index} after the replica stopped`);
  }
  const login = await call(nginx.url, 'POST', '/api/auth/login', { body: { username: user.username, password: user.password } });
  assert.equal(login.status, 200);
  assert.equal(survivor.received.length - before, 25, 'the surviving replica served every request');
});
