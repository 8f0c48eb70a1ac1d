/**
 * Hostile HTTP at the gateway, written on raw sockets: ambiguous framing
 * that could smuggle a request past the gateway, paths that try to leave
 * their route prefix, oversized heads and bodies, and clients that send
 * slowly to hold connections. Each case asserts the exact status and that
 * neither service received anything.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { rawExchange, rawJsonBody, startAttackStack, statusOf, type AttackStack } from './stack.ts';

let stack: AttackStack;

before(async () => {
  stack = await startAttackStack('framing', {
    gatewayEnv: {
      HEADERS_TIMEOUT_MS: '1000',
      REQUEST_TIMEOUT_MS: '2500',
      BODY_IDLE_TIMEOUT_MS: '400',
      MAX_HEADER_SIZE_BYTES: '8192',
      BODY_LIMIT_BYTES: '65536',
      RATE_LIMITS: 'off',
    },
  });
});

after(() => stack?.close());

beforeEach(() => stack.clearTaps());

function port(): number {
  return stack.gateway.port;
}

function assertNothingReachedBackends(label: string): void {
  assert.deepEqual(
    stack.backendCalls().map((call) => `${call.method} ${call.url}`),
    [],
    `${label}: a service received a request`,
  );
}

describe('request framing', () => {
  // The target is a legacy path that the gateway streams to the auth service unchecked,
  // so only the framing checks stand between a malformed request and the service.
  const head = 'POST /auth/framing-probe HTTP/1.1\r\nHost: gateway\r\n';
  const cases: Array<{ name: string; request: string }> = [
    { name: 'Content-Length with Transfer-Encoding', request: `${head}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n` },
    { name: 'two Content-Length headers', request: `${head}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!` },
    { name: 'two equal Content-Length headers', request: `${head}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello` },
    { name: 'Content-Length list', request: `${head}Content-Length: 5, 5\r\n\r\nhello` },
    { name: 'signed Content-Length', request: `${head}Content-Length: +5\r\n\r\nhello` },
    { name: 'Transfer-Encoding gzip, chunked', request: `${head}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n` },
    { name: 'Transfer-Encoding chunked, gzip', request: `${head}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n` },
    { name: 'Transfer-Encoding identity', request: `${head}Transfer-Encoding: identity\r\n\r\n` },
    { name: 'empty Transfer-Encoding', request: `${head}Transfer-Encoding: \r\n\r\n` },
    { name: 'two Transfer-Encoding headers', request: `${head}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n` },
    { name: 'Transfer-Encoding on HTTP/1.0', request: 'POST /auth/framing-probe HTTP/1.0\r\nHost: gateway\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' },
    { name: 'space before the colon', request: `${head}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n` },
    { name: 'obs-fold line folding', request: `${head}Content-Length: 0\r\nX-Note: first\r\n second\r\n\r\n` },
    { name: 'obs-fold in Transfer-Encoding', request: `${head}Transfer-Encoding: gzip,\r\n chunked\r\n\r\n0\r\n\r\n` },
    { name: 'two Host headers', request: 'GET /auth/framing-probe HTTP/1.1\r\nHost: gateway\r\nHost: internal.example\r\n\r\n' },
    { name: 'absolute-form target', request: 'GET http://internal.example/auth/framing-probe HTTP/1.1\r\nHost: gateway\r\n\r\n' },
    { name: 'bare LF line ends', request: 'GET /auth/framing-probe HTTP/1.1\nHost: gateway\n\n' },
  ];

  for (const { name, request } of cases) {
    test(`${name} is a 400`, async () => {
      const exchange = await rawExchange(port(), [request]);
      assert.equal(statusOf(exchange.response), 400, exchange.response);
      assert.equal(rawJsonBody(exchange.response).error.code, 'BAD_REQUEST');
      assert.ok(exchange.closed, 'the connection stayed open after a framing error');
      assertNothingReachedBackends(name);
    });
  }

  test('smuggled second request never runs', async () => {
    const smuggled = 'GET /auth/smuggled HTTP/1.1\r\nHost: gateway\r\n\r\n';
    const exchange = await rawExchange(port(), [`${head}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n${smuggled}`]);
    assert.equal(statusOf(exchange.response), 400);
    assert.equal(exchange.response.match(/HTTP\/1\.1 \d{3}/g)?.length, 1, 'more than one response came back');
    assertNothingReachedBackends('smuggling');
  });

  test('well-formed chunked body still passes', async () => {
    const exchange = await rawExchange(port(), [`${head}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n`]);
    assert.equal(statusOf(exchange.response), 404, 'the auth service answers the probe path with 404');
    const [received] = stack.authTap.calls;
    assert.equal(received.url, '/auth/framing-probe');
    assert.equal(received.body.toString(), 'hello');
  });
});

describe('route prefix escapes', () => {
  const paths = [
    '/api/chat/../auth/profile',
    '/api/chat/%2e%2e/admin',
    '/api/chat/%2E%2E/auth/profile',
    '/api/chat/avatars/..%2f..%2fauth%2fprofile',
    '/mad-scientist/../auth/profile',
    '/mad-scientist/%2e%2e/auth/profile',
    '/mad-scientist/..%2fauth%2fprofile',
    '/mad-scientist/..%5cauth%5cprofile',
    '/mad-scientist/..\\auth\\profile',
    '/mad-scientist/%252e%252e/auth/profile',
    '/mad-scientist/./history',
    '/mad-scientist//history',
    '/auth/%00profile',
  ];
  for (const path of paths) {
    test(`${path} is a 404`, async () => {
      const exchange = await rawExchange(port(), [`GET ${path} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n`]);
      assert.equal(statusOf(exchange.response), 404, exchange.response);
      assert.equal(rawJsonBody(exchange.response).error.code, 'NOT_FOUND');
      assertNothingReachedBackends(path);
    });
  }

  test('dot segments in the query are left alone', async () => {
    const exchange = await rawExchange(port(), ['GET /mad-scientist/probe?next=../x&y=%2e%2e HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n']);
    assert.equal(statusOf(exchange.response), 404, 'the chat service has no such route');
    assert.equal(stack.chatTap.calls[0].url, '/mad-scientist/probe?next=../x&y=%2e%2e');
  });
});

describe('size limits', () => {
  test('oversized head is a 431', async () => {
    const exchange = await rawExchange(port(), [`GET /auth/profile HTTP/1.1\r\nHost: gateway\r\nX-Padding: ${'a'.repeat(10_000)}\r\n\r\n`]);
    assert.equal(statusOf(exchange.response), 431, exchange.response);
    assert.equal(rawJsonBody(exchange.response).error.code, 'HEADERS_TOO_LARGE');
    assertNothingReachedBackends('431');
  });

  test('auth body over its route limit is a 413', async () => {
    const body = JSON.stringify({ username: 'ada', password: 'x'.repeat(20_000) });
    const exchange = await rawExchange(port(), [`POST /api/auth/login HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`]);
    assert.equal(statusOf(exchange.response), 413, exchange.response);
    assert.equal(rawJsonBody(exchange.response).error.code, 'PAYLOAD_TOO_LARGE');
    assertNothingReachedBackends('413 with Content-Length');
  });

  test('chunked auth body over the limit is a 413', async () => {
    const chunk = 'x'.repeat(4096);
    const chunks = Array.from({ length: 6 }, () => `1000\r\n${chunk}\r\n`);
    const exchange = await rawExchange(port(), [
      'POST /api/auth/login HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      ...chunks,
      '0\r\n\r\n',
    ]);
    assert.equal(statusOf(exchange.response), 413, exchange.response);
    assertNothingReachedBackends('413 chunked');
  });

  test('streamed body over BODY_LIMIT_BYTES is a 413', async () => {
    const exchange = await rawExchange(port(), ['POST /auth/anything HTTP/1.1\r\nHost: gateway\r\nContent-Length: 70000\r\nConnection: close\r\n\r\nxyz']);
    assert.equal(statusOf(exchange.response), 413, exchange.response);
    assertNothingReachedBackends('413 legacy');
  });
});

describe('slow clients', () => {
  test('trickled head is cut after HEADERS_TIMEOUT_MS', async () => {
    const parts = ['GET /auth/profile HTTP/1.1\r\nHost: gateway\r\n', ...Array.from({ length: 40 }, (_, index) => `X-Slow-${index}: 1\r\n`)];
    const exchange = await rawExchange(port(), parts, { gapMs: 150, timeoutMs: 8000 });
    assert.ok(exchange.closed, 'the connection stayed open');
    assert.ok(exchange.elapsedMs < 4000, `cut after ${Math.round(exchange.elapsedMs)} ms`);
    assert.equal(statusOf(exchange.response), 408, exchange.response);
    assertNothingReachedBackends('slow head');
  });

  test('paused body on a validated route is a 408', async () => {
    const exchange = await rawExchange(
      port(),
      ['POST /api/auth/login HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"username":', '"ada"'],
      { gapMs: 1500, timeoutMs: 6000 },
    );
    assert.equal(statusOf(exchange.response), 408, exchange.response);
    assert.equal(rawJsonBody(exchange.response).error.code, 'REQUEST_TIMEOUT');
    assert.ok(exchange.closed);
    assert.ok(exchange.elapsedMs < 1500, `answered after ${Math.round(exchange.elapsedMs)} ms`);
    assertNothingReachedBackends('slow validated body');
  });

  test('paused streamed body is cut', async () => {
    const exchange = await rawExchange(port(), ['POST /auth/slow-upload HTTP/1.1\r\nHost: gateway\r\nContent-Length: 100\r\n\r\nfirst part', 'second part'], {
      gapMs: 3000,
      timeoutMs: 6000,
    });
    assert.ok(exchange.closed, 'the connection stayed open');
    assert.ok(exchange.elapsedMs < 2500, `cut after ${Math.round(exchange.elapsedMs)} ms`);
    assert.equal(stack.authTap.calls.length, 0, 'the service received a complete request');
  });

  test('body trickled past REQUEST_TIMEOUT_MS is cut', async () => {
    const parts = ['POST /auth/slow-upload HTTP/1.1\r\nHost: gateway\r\nContent-Length: 60\r\n\r\n', ...Array.from({ length: 30 }, () => 'xy')];
    const exchange = await rawExchange(port(), parts, { gapMs: 200, timeoutMs: 9000 });
    assert.ok(exchange.closed, 'the connection stayed open');
    assert.ok(exchange.elapsedMs < 5000, `cut after ${Math.round(exchange.elapsedMs)} ms`);
    assert.equal(stack.authTap.calls.length, 0, 'the service received a complete request');
  });

  test('idle keep-alive connection is not cut', async () => {
    const request = 'GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n';
    const exchange = await rawExchange(port(), [request, request, request], { gapMs: 1200, timeoutMs: 3000 });
    assert.equal(exchange.response.match(/HTTP\/1\.1 (200|503) /g)?.length, 3, exchange.response);
    assert.equal(exchange.closed, false, 'the gateway closed a healthy keep-alive connection');
  });
});
