import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { ApiClient } from './api-client.ts';
import { ApiError } from './api-error.ts';
import { LabApi } from './lab-api.ts';
import { REFRESH_TOKEN_KEY, TokenStore, type KeyValueStorage } from './token-store.ts';

/** The browser's cookie jar as page scripts see it: the fake gateway writes the readable CSRF cookie here. */
const jar = { cookie: '' };

/**
 * A fake gateway on a free port: a refresh cookie that rotates, one protected
 * route, and a streaming chat route. Node's fetch keeps no cookies, so the
 * fake accepts a refresh when X-CSRF-Token matches the session it issued,
 * and writes the next CSRF cookie into `jar` as a browser would.
 */
class FakeGateway {
  server: Server;
  url = '';
  refreshCalls = 0;
  generation = 0;
  refreshStatus = 200;
  /** Lines of the SSE body that POST /api/chat/message sends. */
  streamLines: string[] = [];
  usedRefreshTokens = new Set<string>();
  /** Headers and body of the latest refresh request. */
  lastRefresh: { headers: IncomingMessage['headers']; body: string } | null = null;

  constructor() {
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  get accessToken(): string {
    return `access-${this.generation}`;
  }

  get csrfToken(): string {
    return `csrf-${this.generation}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.refreshCalls = 0;
    this.generation = 0;
    this.refreshStatus = 200;
    this.streamLines = [];
    this.usedRefreshTokens.clear();
    this.lastRefresh = null;
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of request) raw += chunk;
    const body = raw ? JSON.parse(raw) : {};
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req-header', ...headers });
      response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    const fail = (status: number, code: string, message: string, details?: unknown) =>
      send(status, { error: { code, message, details }, meta: { request_id: `req-${code}` } });

    if (request.url === '/api/auth/refresh') {
      this.refreshCalls += 1;
      this.lastRefresh = { headers: request.headers, body: raw };
      // Slow enough that concurrent callers overlap with the exchange in flight.
      await new Promise((done) => setTimeout(done, 50));
      if (this.refreshStatus !== 200) return fail(this.refreshStatus, 'UPSTREAM_UNAVAILABLE', 'down');
      const presented = request.headers['x-csrf-token'];
      if (typeof presented !== 'string' || presented !== this.csrfToken || this.usedRefreshTokens.has(presented)) {
        return fail(401, 'INVALID_REFRESH_TOKEN', 'The refresh token is invalid, expired or already used.');
      }
      this.usedRefreshTokens.add(presented);
      this.generation += 1;
      jar.cookie = `ms_csrf=${this.csrfToken}; theme=dark`;
      const user = { id: 'u1', username: 'ada', email: 'ada@example.com', created_at: '2030-01-01T00:00:00.000Z' };
      return send(200, { user, access_token: this.accessToken, token_type: 'Bearer', expires_in: 900, refresh_expires_in: 604800, meta: { request_id: 'r' } });
    }

    const authorised = request.headers.authorization === `Bearer ${this.accessToken}`;
    if (request.url === '/api/thing') {
      if (!authorised) return fail(401, 'TOKEN_EXPIRED', 'The access token has expired.');
      return send(200, { ok: true, meta: { request_id: 'r' } });
    }
    if (request.url === '/api/revoked') return fail(401, 'TOKEN_REVOKED', 'The access token has been revoked.');
    if (request.url === '/api/invalid') return fail(400, 'VALIDATION_FAILED', 'Invalid email.', [{ field: 'email', message: 'must match format "email"' }]);
    if (request.url === '/api/html') return send(502, '<html>Bad gateway</html>', { 'content-type': 'text/html' });
    if (request.url === '/api/chat/message') {
      if (!authorised) return fail(401, 'TOKEN_EXPIRED', 'The access token has expired.');
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req-stream' });
      for (const line of this.streamLines) {
        response.write(line);
        await new Promise((done) => setTimeout(done, 5));
      }
      return void response.end();
    }
    fail(404, 'NOT_FOUND', 'No route.');
  }
}

class MemoryStorage implements KeyValueStorage {
  values = new Map<string, string>();
  getItem(key: string) {
    return this.values.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.values.set(key, value);
  }
  removeItem(key: string) {
    this.values.delete(key);
  }
}

const gateway = new FakeGateway();
let storage: MemoryStorage;
let client: ApiClient;
let sessionEnds: ApiError[];

before(() => gateway.listen());
after(() => new Promise<void>((done) => gateway.server.close(() => done())));

beforeEach(() => {
  gateway.reset();
  jar.cookie = '';
  storage = new MemoryStorage();
  client = new ApiClient({ tokens: new TokenStore(jar, storage), baseUrl: gateway.url });
  sessionEnds = [];
  client.onSessionEnd = (error) => sessionEnds.push(error);
});

/** Puts the client in the state of a reload: the session cookies in the browser, no access token. */
function storeSessionCookie(csrfToken: string): void {
  jar.cookie = `theme=dark; ms_csrf=${csrfToken}`;
}

test('client refreshes before the first call', async () => {
  storeSessionCookie(gateway.csrfToken);
  const body = await client.json<{ ok: boolean }>('GET', '/api/thing');
  assert.equal(body.ok, true);
  assert.equal(gateway.refreshCalls, 1);
  assert.equal(client.user?.username, 'ada');
});

test('client follows the rotated session cookie', async () => {
  storeSessionCookie(gateway.csrfToken);
  await client.refresh();
  assert.equal(gateway.lastRefresh?.headers['x-csrf-token'], 'csrf-0');
  assert.equal(gateway.lastRefresh?.headers['x-token-delivery'], 'cookie');
  assert.equal(gateway.lastRefresh?.body, '', 'the refresh request carried a body');
  await client.refresh();
  assert.equal(gateway.lastRefresh?.headers['x-csrf-token'], 'csrf-1');
  assert.equal(client.tokens.accessToken, 'access-2');
});

test('client keeps no refresh token in storage', async () => {
  storage.setItem(REFRESH_TOKEN_KEY, 'left-by-an-older-version');
  const tokens = new TokenStore(jar, storage);
  assert.equal(storage.getItem(REFRESH_TOKEN_KEY), null, 'the old refresh token was not removed');
  storeSessionCookie(gateway.csrfToken);
  const fresh = new ApiClient({ tokens, baseUrl: gateway.url });
  await fresh.refresh();
  assert.equal(storage.values.size, 0);
  assert.equal(tokens.accessToken, 'access-1');
});

test('client without session cookies is logged out', async () => {
  assert.equal(client.hasSession, false);
  await assert.rejects(client.json('GET', '/api/thing'), (error: unknown) => error instanceof ApiError && error.code === 'UNAUTHORIZED');
  assert.equal(gateway.refreshCalls, 0);
  assert.equal(sessionEnds.length, 1);
});

test('concurrent expired calls share one refresh', async () => {
  storeSessionCookie(gateway.csrfToken);
  await client.refresh();
  // The server moves on, so the client's access token now counts as expired; the refresh cookie stays valid.
  gateway.usedRefreshTokens.clear();
  gateway.generation = 1;
  client.tokens.save({ access_token: 'access-stale' });
  const results = await Promise.all(Array.from({ length: 5 }, () => client.json<{ ok: boolean }>('GET', '/api/thing')));
  assert.equal(results.filter((result) => result.ok).length, 5);
  assert.equal(gateway.refreshCalls, 2);
  assert.equal(client.tokens.accessToken, 'access-2');
  assert.deepEqual(sessionEnds, []);
});

test('rejected refresh token ends the session', async () => {
  storeSessionCookie('csrf-unknown');
  await assert.rejects(client.json('GET', '/api/thing'), (error: unknown) => error instanceof ApiError && error.code === 'INVALID_REFRESH_TOKEN');
  assert.equal(client.tokens.accessToken, null);
  assert.equal(sessionEnds.length, 1);
  assert.equal(sessionEnds[0].code, 'INVALID_REFRESH_TOKEN');
});

test('refresh outage keeps the session', async () => {
  storeSessionCookie(gateway.csrfToken);
  gateway.refreshStatus = 503;
  await assert.rejects(client.refresh(), (error: unknown) => error instanceof ApiError && error.status === 503);
  assert.equal(client.tokens.csrfToken, 'csrf-0');
  assert.equal(client.hasSession, true);
  assert.deepEqual(sessionEnds, []);
});

test('revoked access token ends the session', async () => {
  client.tokens.save({ access_token: 'access-0' });
  await assert.rejects(client.json('GET', '/api/revoked'), (error: unknown) => error instanceof ApiError && error.code === 'TOKEN_REVOKED');
  assert.equal(client.tokens.accessToken, null);
  assert.equal(sessionEnds.length, 1);
});

test('error body becomes ApiError with details', async () => {
  const error = await client.json('POST', '/api/invalid', { auth: false, body: {} }).catch((failure: unknown) => failure);
  assert.ok(error instanceof ApiError);
  assert.equal(error.code, 'VALIDATION_FAILED');
  assert.equal(error.status, 400);
  assert.equal(error.requestId, 'req-VALIDATION_FAILED');
  assert.deepEqual(error.fieldErrors(), { email: 'must match format "email"' });
});

test('non-JSON error keeps the header request id', async () => {
  const error = await client.json('GET', '/api/html', { auth: false }).catch((failure: unknown) => failure);
  assert.ok(error instanceof ApiError);
  assert.equal(error.code, 'BAD_RESPONSE');
  assert.equal(error.status, 502);
  assert.equal(error.requestId, 'req-header');
});

test('unreachable server gives NETWORK_ERROR', async () => {
  const closed = createServer();
  await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((done) => closed.close(() => done()));
  const offline = new ApiClient({ tokens: new TokenStore(null), baseUrl: `http://127.0.0.1:${port}` });
  await assert.rejects(offline.json('GET', '/api/thing', { auth: false }), (error: unknown) => error instanceof ApiError && error.code === 'NETWORK_ERROR');
});

test('message stream yields deltas then done', async () => {
  storeSessionCookie(gateway.csrfToken);
  const exchange = { conversation_id: 'c1', message: { id: '1' }, reply: { id: '2', content: 'Eureka at once' } };
  gateway.streamLines = ['event: delta\ndata: {"text":"Eureka "}\n\n', 'event: delta\ndata: {"text":"at "}\n\n', 'event: delta\ndata: {"text":"once"}\n\n', `event: done\ndata: ${JSON.stringify(exchange)}\n\n`];
  const deltas: string[] = [];
  const result = await new LabApi(client).sendMessage('Hi', null, { onDelta: (text) => deltas.push(text) });
  assert.deepEqual(deltas, ['Eureka ', 'at ', 'once']);
  assert.equal(result.conversation_id, 'c1');
});

test('message stream error event rejects', async () => {
  storeSessionCookie(gateway.csrfToken);
  gateway.streamLines = ['event: delta\ndata: {"text":"Eur"}\n\n', 'event: error\ndata: {"error":{"code":"UPSTREAM_TIMEOUT","message":"The model did not answer in time."}}\n\n'];
  const error = await new LabApi(client).sendMessage('Hi', 'c1').catch((failure: unknown) => failure);
  assert.ok(error instanceof ApiError);
  assert.equal(error.code, 'UPSTREAM_TIMEOUT');
  assert.equal(error.requestId, 'req-stream');
});

test('message stream cut before done rejects', async () => {
  storeSessionCookie(gateway.csrfToken);
  gateway.streamLines = ['event: delta\ndata: {"text":"Eur"}\n\n'];
  await assert.rejects(new LabApi(client).sendMessage('Hi', 'c1'), (error: unknown) => error instanceof ApiError && error.code === 'STREAM_INTERRUPTED');
});
