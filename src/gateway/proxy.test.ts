/**
 * Proxying through a real gateway on a free port in front of fake upstreams:
 * route and path mapping, bodies byte for byte, headers in both directions.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  echoHandler,
  FakeUpstream,
  rawHeaderLines,
  rawRequest,
  sendJson,
  signToken,
  startTestGateway,
  type TestGateway,
} from './test-support.ts';

let auth: FakeUpstream;
let chat: FakeUpstream;
let gateway: TestGateway;
let token: string;

before(async () => {
  auth = await FakeUpstream.start();
  chat = await FakeUpstream.start();
  gateway = await startTestGateway({ auth: auth.url, chat: chat.url }, { BODY_LIMIT_BYTES: '1000' });
  token = await signToken({ sub: 'user-7', username: 'ada' });
});

after(async () => {
  await gateway.close();
  await auth.stop();
  await chat.stop();
});

beforeEach(() => {
  auth.requests.length = 0;
  chat.requests.length = 0;
  auth.handler = echoHandler;
  chat.handler = echoHandler;
});

function bearer(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...extra };
}

describe('route and path mapping', () => {
  const cases: Array<{ method: string; path: string; upstream: () => FakeUpstream; expected: string; token: boolean }> = [
    { method: 'POST', path: '/api/auth/register', upstream: () => auth, expected: '/auth/register', token: false },
    { method: 'POST', path: '/api/auth/login?next=%2Fchat&x=a+b', upstream: () => auth, expected: '/auth/login?next=%2Fchat&x=a+b', token: false },
    { method: 'POST', path: '/api/auth/refresh', upstream: () => auth, expected: '/auth/refresh', token: false },
    { method: 'GET', path: '/api/auth/profile', upstream: () => auth, expected: '/auth/profile', token: true },
    { method: 'POST', path: '/api/chat/message', upstream: () => chat, expected: '/mad-scientist/message', token: true },
    { method: 'GET', path: '/api/chat/history?limit=5&cursor=abc%3D%3D', upstream: () => chat, expected: '/mad-scientist/history?limit=5&cursor=abc%3D%3D', token: true },
    { method: 'GET', path: '/api/chat/conversations', upstream: () => chat, expected: '/mad-scientist/conversations', token: true },
    { method: 'GET', path: '/api/chat/avatar', upstream: () => chat, expected: '/mad-scientist/avatar', token: true },
    { method: 'POST', path: '/api/chat/avatar', upstream: () => chat, expected: '/mad-scientist/avatar', token: true },
    { method: 'GET', path: '/api/chat/avatars/abc-123.svg', upstream: () => chat, expected: '/mad-scientist/avatars/abc-123.svg', token: false },
    { method: 'GET', path: '/auth/profile?x=1', upstream: () => auth, expected: '/auth/profile?x=1', token: false },
    { method: 'DELETE', path: '/mad-scientist/anything/deep?q=1', upstream: () => chat, expected: '/mad-scientist/anything/deep?q=1', token: false },
  ];
  for (const { method, path, upstream, expected, token: needsToken } of cases) {
    test(`${method} ${path}`, async () => {
      const response = await fetch(gateway.url + path, { method, headers: needsToken ? bearer() : {} });
      assert.equal(response.status, 200);
      const calls = upstream().calls;
      assert.equal(calls.length, 1);
      assert.equal(calls[0].method, method);
      assert.equal(calls[0].url, expected);
    });
  }

  test('unknown /api path is a 404 that reaches no upstream', async () => {
    const response = await fetch(`${gateway.url}/api/auth/admin`, { headers: bearer() });
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error.code, 'NOT_FOUND');
    assert.equal(auth.calls.length + chat.calls.length, 0);
  });

  test('known /api path under another method is a 405 that reaches no upstream', async () => {
    const cases: Array<[string, string, string]> = [
      ['DELETE', '/api/auth/login', 'POST'],
      ['GET', '/api/auth/logout', 'POST'],
      ['PUT', '/api/chat/avatar', 'GET, POST'],
      ['DELETE', '/api/chat/avatars/abc-123.svg', 'GET'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await fetch(gateway.url + path, { method, headers: bearer() });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
      assert.equal((await response.json()).error.code, 'METHOD_NOT_ALLOWED', `${method} ${path}`);
    }
    assert.equal(auth.calls.length + chat.calls.length, 0);
  });

  test('invalid percent-encoding is a 400 in the common format', async () => {
    for (const path of ['/api/chat/avatars/%E0%A4%A', '/auth/%zz']) {
      const response = await rawRequest(gateway.gateway.port, `GET ${path} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\nX-Request-Id: bad-url\r\n\r\n`);
      assert.match(response, /^HTTP\/1\.1 400 /, path);
      assert.ok(rawHeaderLines(response).includes('x-request-id: bad-url'), path);
      const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
      assert.equal(body.error.code, 'BAD_REQUEST', path);
      assert.equal(body.meta.request_id, 'bad-url', path);
    }
    assert.equal(auth.calls.length + chat.calls.length, 0);
  });

  test('avatar file name that is not <id>.svg is a 404', async () => {
    const response = await fetch(`${gateway.url}/api/chat/avatars/..%2F..%2Fauth%2Fprofile`);
    assert.equal(response.status, 404);
    assert.equal(chat.calls.length, 0);
  });
});

describe('request bodies', () => {
  test('JSON with multi-byte characters arrives byte for byte', async () => {
    const body = Buffer.from('{"message":"Grüße, 世界 🧪 \\u0000 \\"quoted\\"",  "spacing" : [1,2 ,3]}', 'utf8');
    const response = await fetch(`${gateway.url}/api/chat/message`, {
      method: 'POST',
      headers: bearer({ 'content-type': 'application/json' }),
      body,
    });
    assert.equal(response.status, 200);
    assert.deepEqual(chat.calls[0].body, body);
    assert.equal(chat.calls[0].headers['content-length'], String(body.length));
  });

  test('body that is not JSON passes unparsed', async () => {
    const body = Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x0a]);
    const response = await fetch(`${gateway.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(response.status, 200);
    assert.deepEqual(auth.calls[0].body, body);
  });

  test('empty POST body stays empty', async () => {
    // Its own token, because a successful logout revokes the token it carries.
    const logoutToken = await signToken();
    const response = await fetch(`${gateway.url}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${logoutToken}` } });
    assert.equal(response.status, 200);
    assert.equal(auth.calls[0].body.length, 0);
  });

  test('chunked upload is passed on whole', async () => {
    const parts = ['{"message":', '"in three ', 'chunks ✓"}'];
    const status = await new Promise<number>((resolve, reject) => {
      const headers = bearer({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      const request = httpRequest(`${gateway.url}/api/chat/message`, { method: 'POST', headers }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      void (async () => {
        for (const part of parts) {
          request.write(part);
          await new Promise((next) => setTimeout(next, 20));
        }
        request.end();
      })();
    });
    assert.equal(status, 200);
    assert.equal(chat.calls[0].body.toString('utf8'), parts.join(''));
  });

  test('Content-Length over the limit is a 413 that reaches no upstream', async () => {
    const response = await fetch(`${gateway.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(1001),
    });
    assert.equal(response.status, 413);
    assert.equal((await response.json()).error.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(auth.calls.length, 0);
  });
});

describe('headers', () => {
  test('request id is returned and forwarded', async () => {
    const response = await fetch(`${gateway.url}/api/auth/login`, { method: 'POST', headers: { 'x-request-id': 'client-id-42' } });
    assert.equal(response.headers.get('x-request-id'), 'client-id-42');
    assert.equal(auth.calls[0].headers['x-request-id'], 'client-id-42');
  });

  test('malformed request id is replaced by a generated one', async () => {
    const response = await fetch(`${gateway.url}/api/auth/login`, { method: 'POST', headers: { 'x-request-id': 'bad id\twith spaces' } });
    const id = response.headers.get('x-request-id') ?? '';
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(auth.calls[0].headers['x-request-id'], id);
  });

  test('X-User-Id comes from the token and client copies are dropped', async () => {
    await fetch(`${gateway.url}/api/chat/history`, { headers: bearer({ 'x-user-id': 'admin', 'x-username': 'root' }) });
    assert.equal(chat.calls[0].headers['x-user-id'], 'user-7');
    assert.equal(chat.calls[0].headers['x-username'], 'ada');
  });

  test('client identity headers are dropped on routes without a token', async () => {
    await fetch(`${gateway.url}/api/auth/login`, { method: 'POST', headers: { 'x-user-id': 'admin', 'x-username': 'root' } });
    assert.equal(auth.calls[0].headers['x-user-id'], undefined);
    assert.equal(auth.calls[0].headers['x-username'], undefined);
  });

  test('X-Forwarded-* describe the client connection', async () => {
    await fetch(`${gateway.url}/api/auth/login`, { method: 'POST', headers: { 'x-forwarded-for': '6.6.6.6' } });
    const headers = auth.calls[0].headers;
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers['x-forwarded-host'], new URL(gateway.url).host);
  });

  test('hop-by-hop request headers never reach the upstream', async () => {
    const request = [
      'POST /api/auth/login HTTP/1.1',
      `Host: ${new URL(gateway.url).host}`,
      'Connection: close, X-Drop-Me',
      'Keep-Alive: timeout=99',
      'TE: trailers',
      'Proxy-Authorization: Basic c2VjcmV0',
      'X-Drop-Me: 1',
      'X-Keep-Me: 2',
      'Content-Length: 2',
      '',
      '{}',
    ].join('\r\n');
    const response = await rawRequest(gateway.gateway.port, request);
    assert.match(response, /^HTTP\/1\.1 200 /);
    const received = auth.calls[0].headers;
    for (const name of ['keep-alive', 'te', 'proxy-authorization', 'x-drop-me']) assert.equal(received[name], undefined, `${name} reached the upstream`);
    assert.notEqual(received.connection, 'close, X-Drop-Me');
    assert.equal(received['x-keep-me'], '2');
  });

  test('hop-by-hop response headers never reach the client', async () => {
    auth.handler = (_request, response) => {
      response.setHeader('Connection', 'keep-alive, X-Upstream-Hop');
      response.setHeader('Keep-Alive', 'timeout=1234');
      response.setHeader('X-Upstream-Hop', 'secret');
      response.setHeader('Trailer', 'X-Checksum');
      response.setHeader('Upgrade', 'h2c');
      response.setHeader('X-Kept', 'yes');
      response.end('ok');
    };
    const response = await rawRequest(
      gateway.gateway.port,
      `POST /api/auth/login HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
    const lines = rawHeaderLines(response);
    assert.ok(!lines.some((line) => line.startsWith('x-upstream-hop:')), 'x-upstream-hop reached the client');
    assert.ok(!lines.some((line) => line.startsWith('keep-alive: timeout=1234')), 'the upstream keep-alive reached the client');
    assert.ok(!lines.some((line) => line.startsWith('trailer:')), 'trailer reached the client');
    assert.ok(!lines.some((line) => line.startsWith('upgrade:')), 'upgrade reached the client');
    assert.ok(lines.includes('x-kept: yes'));
    assert.ok(response.endsWith('\r\n\r\n2\r\nok\r\n0\r\n\r\n'), 'the chunked body was not passed on');
  });

  test('several Set-Cookie headers stay separate', async () => {
    auth.handler = (_request, response) => {
      sendJson(response, 200, { ok: true }, { 'set-cookie': ['session=abc; HttpOnly; Path=/', 'theme=dark; Path=/', 'Expires=Wed, 21 Oct 2026 07:28:00 GMT'] });
    };
    const response = await rawRequest(
      gateway.gateway.port,
      `POST /api/auth/login HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
    const cookies = rawHeaderLines(response).filter((line) => line.startsWith('set-cookie:'));
    assert.deepEqual(cookies, ['set-cookie: session=abc; HttpOnly; Path=/', 'set-cookie: theme=dark; Path=/', 'set-cookie: Expires=Wed, 21 Oct 2026 07:28:00 GMT']);
  });

  test('upstream error replies pass through unchanged', async () => {
    const body = { error: { code: 'CONFLICT', message: 'The username is taken.', details: [{ field: 'username', message: 'is taken' }] }, meta: { request_id: 'upstream-id' } };
    auth.handler = (_request, response) => sendJson(response, 409, body);
    const response = await fetch(`${gateway.url}/api/auth/register`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(response.status, 409);
    assert.deepEqual(await response.json(), body);
  });

  test('HEAD on a legacy route keeps Content-Length and sends no body', async () => {
    chat.handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '11' });
      response.end();
    };
    const response = await rawRequest(
      gateway.gateway.port,
      `HEAD /mad-scientist/avatars/a.svg HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n`,
    );
    assert.ok(rawHeaderLines(response).includes('content-length: 11'));
    assert.ok(response.endsWith('\r\n\r\n'), 'a HEAD response carried a body');
    assert.equal(chat.calls[0].method, 'HEAD');
  });
});
