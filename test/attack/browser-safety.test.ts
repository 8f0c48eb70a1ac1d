/**
 * What a hostile web page can try through a victim's browser: read API
 * responses from another origin, frame the client, sniff content types,
 * ride the refresh cookie, or plant markup in chat messages. The gateway
 * answers preflights itself, allows only CORS_ORIGINS, puts its security
 * headers on every kind of response, and stores messages as given.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { call, rawExchange, registerUser, startAttackStack, statusOf, type AttackStack, type JsonResponse } from './stack.ts';

const ALLOWED = 'https://app.example.com';
const EVIL = 'https://evil.example';

let stack: AttackStack;
let webRoot: string;
let token: string;

before(async () => {
  webRoot = mkdtempSync(join(tmpdir(), 'ms-attack-webroot-'));
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>lab</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log("lab");');
  stack = await startAttackStack('browser', {
    env: { COOKIE_SECURE: 'true' },
    gatewayEnv: { CORS_ORIGINS: `${ALLOWED}, http://localhost:5173`, WEB_ROOT: webRoot, RATE_LIMITS: 'off' },
  });
  token = (await registerUser(stack)).pair.access_token;
});

after(async () => {
  await stack?.close();
  rmSync(webRoot, { recursive: true, force: true });
});

beforeEach(() => stack.clearTaps());

function preflight(origin: string, method: string, headers: string, path = '/api/chat/message'): Promise<JsonResponse> {
  return call(stack.url, 'OPTIONS', path, {
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });
}

function assertSecurityHeaders(response: JsonResponse, label: string): void {
  const headers = response.headers;
  assert.match(headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, `${label}: CSP`);
  assert.equal(headers.get('x-content-type-options'), 'nosniff', `${label}: nosniff`);
  assert.equal(headers.get('x-frame-options'), 'DENY', `${label}: X-Frame-Options`);
  assert.equal(headers.get('referrer-policy'), 'no-referrer', `${label}: Referrer-Policy`);
  assert.equal(headers.get('strict-transport-security'), null, `${label}: HSTS over plain HTTP`);
}

describe('CORS', () => {
  test('preflight from an allowed origin is answered without a token', async () => {
    const response = await preflight(ALLOWED, 'POST', 'authorization, content-type');
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/);
    assert.match(response.headers.get('access-control-allow-headers') ?? '', /\bauthorization\b/);
    assert.equal(response.headers.get('access-control-max-age'), '600');
    assert.match(response.headers.get('vary') ?? '', /\bOrigin\b/);
    assertSecurityHeaders(response, 'preflight');
    assert.equal(stack.backendCalls().length, 0);
  });

  test('preflights outside the allowlist are refused', async () => {
    const cases: Array<[string, string, string, string]> = [
      ['other origin', EVIL, 'POST', 'content-type'],
      ['origin with another port', 'https://app.example.com:8443', 'POST', 'content-type'],
      ['null origin', 'null', 'POST', 'content-type'],
      ['method', ALLOWED, 'DELETE', 'content-type'],
      ['header', ALLOWED, 'POST', 'x-user-id'],
    ];
    for (const [label, origin, method, headers] of cases) {
      const response = await preflight(origin, method, headers);
      assert.equal(response.status, 403, label);
      assert.equal(response.body.error.code, 'FORBIDDEN', label);
      assert.equal(response.headers.get('access-control-allow-origin'), null, label);
    }
    // The legacy routes proxy OPTIONS, but a preflight never reaches a service.
    assert.equal((await preflight(EVIL, 'POST', 'content-type', '/mad-scientist/message')).status, 403);
    assert.equal(stack.backendCalls().length, 0);
  });

  test('preflight wins over 405 on a POST-only route', async () => {
    const answered = await preflight(ALLOWED, 'POST', 'content-type', '/api/auth/login');
    assert.equal(answered.status, 204);
    assert.equal(answered.headers.get('access-control-allow-origin'), ALLOWED);
    // An OPTIONS request without Access-Control-Request-Method is no preflight, and no route takes it.
    const plain = await call(stack.url, 'OPTIONS', '/api/auth/login', { headers: { origin: ALLOWED } });
    assert.equal(plain.status, 405);
    assert.equal(plain.headers.get('allow'), 'POST');
    assert.equal(plain.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(stack.backendCalls().length, 0);
  });

  test('errors carry the CORS headers', async () => {
    const response = await call(stack.url, 'GET', '/api/chat/history', { headers: { origin: ALLOWED, authorization: 'Bearer forged.token.value' } });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
    assert.match(response.headers.get('access-control-expose-headers') ?? '', /x-request-id/);
    assert.match(response.headers.get('vary') ?? '', /\bOrigin\b/);
  });

  test('proxied responses carry them, other origins get none', async () => {
    const allowed = await call(stack.url, 'GET', '/api/chat/history', { token, headers: { origin: ALLOWED } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), ALLOWED);
    const other = await call(stack.url, 'GET', '/api/chat/history', { token, headers: { origin: EVIL } });
    assert.equal(other.status, 200, 'requests from other origins are not rejected, only unreadable');
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    assert.match(other.headers.get('vary') ?? '', /\bOrigin\b/);
  });

  test('text/plain cross-site login is refused', async () => {
    // A form or fetch without a preflight can only send "simple" content types.
    const response = await call(stack.url, 'POST', '/api/auth/login', {
      body: JSON.stringify({ username: 'victim', password: 'guess' }),
      headers: { origin: EVIL, 'content-type': 'text/plain' },
    });
    assert.equal(response.status, 415);
    assert.equal(stack.backendCalls().length, 0);
  });
});

describe('security headers', () => {
  test('every kind of response has them', async () => {
    const responses: Array<[string, JsonResponse]> = [
      ['proxied JSON', await call(stack.url, 'GET', '/api/auth/profile', { token })],
      ['gateway error', await call(stack.url, 'GET', '/api/chat/history')],
      ['unknown route', await call(stack.url, 'GET', '/api/nothing-here')],
      ['health', await call(stack.url, 'GET', '/health')],
      ['web client page', await call(stack.url, 'GET', '/', { headers: { accept: 'text/html' } })],
      ['web client script', await call(stack.url, 'GET', '/assets/app.js')],
      ['validation error', await call(stack.url, 'POST', '/api/auth/login', { body: { password: 1 } })],
    ];
    for (const [label, response] of responses) assertSecurityHeaders(response, label);
    assert.match(responses[4][1].headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });

  test('avatar image keeps its stricter policy', async () => {
    const avatar = await call(stack.url, 'GET', '/api/chat/avatar', { token });
    const image = await fetch(`${stack.url}${avatar.body.avatar.url}`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-security-policy'), "default-src 'none'; style-src 'unsafe-inline'");
    assert.equal(image.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(image.headers.get('x-frame-options'), 'DENY');
  });

  test('parser rejections are not sniffable', async () => {
    const exchange = await rawExchange(stack.gateway.port, ['GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n']);
    assert.equal(statusOf(exchange.response), 400);
    assert.match(exchange.response, /\r\nX-Content-Type-Options: nosniff\r\n/i);
    assert.match(exchange.response, /\r\nContent-Type: application\/json/i);
  });
});

describe('chat content', () => {
  test('markup is stored byte for byte and served as JSON', async () => {
    const message = '<script>alert("stored")</script><img src=x onerror="alert(1)"> & <b>bold</b> \u202e';
    const sent = await call(stack.url, 'POST', '/api/chat/message', { token, body: { message } });
    assert.equal(sent.status, 201);
    assert.equal(sent.body.message.content, message);
    const history = await call(stack.url, 'GET', `/api/chat/history?conversation_id=${sent.body.conversation_id}`, { token });
    assert.equal(history.status, 200);
    assert.match(history.headers.get('content-type') ?? '', /^application\/json/);
    const stored = history.body.messages.find((entry: { role: string }) => entry.role === 'user');
    assert.equal(stored.content, message);
  });
});
