import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientResponseHeaders, upstreamRequestHeaders, type ForwardingContext } from './headers.ts';

/** Turns a flat header list into name -> values. */
function byName(flat: string[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (let index = 0; index < flat.length; index += 2) {
    const values = result.get(flat[index]) ?? [];
    values.push(flat[index + 1]);
    result.set(flat[index], values);
  }
  return result;
}

const context: ForwardingContext = {
  requestId: 'req-1',
  remoteAddress: '10.0.0.7',
  protocol: 'http',
  user: undefined,
  trustForwarded: false,
};

describe('upstreamRequestHeaders', () => {
  test('drops hop-by-hop headers and those named in Connection', () => {
    const headers = byName(
      upstreamRequestHeaders(
        {
          connection: 'keep-alive, x-secret-hop',
          'keep-alive': 'timeout=5',
          'proxy-authorization': 'Basic abc',
          'proxy-connection': 'keep-alive',
          te: 'trailers',
          trailer: 'x-checksum',
          'transfer-encoding': 'chunked',
          upgrade: 'websocket',
          'x-secret-hop': 'drop me',
          expect: '100-continue',
          host: 'gateway.example',
          accept: 'application/json',
        },
        context,
      ),
    );
    for (const name of ['connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'x-secret-hop', 'expect', 'host']) {
      assert.equal(headers.has(name), false, `${name} was passed on`);
    }
    assert.deepEqual(headers.get('accept'), ['application/json']);
  });

  test('replaces identity and request id sent by the client', () => {
    const headers = byName(
      upstreamRequestHeaders(
        { 'x-user-id': 'admin', 'x-username': 'root', 'x-request-id': 'forged' },
        { ...context, user: { sub: 'u-42', username: 'ada lovelace', jti: 'j', exp: 1, iat: 0 } },
      ),
    );
    assert.deepEqual(headers.get('x-user-id'), ['u-42']);
    assert.deepEqual(headers.get('x-username'), ['ada%20lovelace']);
    assert.deepEqual(headers.get('x-request-id'), ['req-1']);
  });

  test('drops client identity headers on routes without a token', () => {
    const headers = byName(upstreamRequestHeaders({ 'x-user-id': 'admin', 'x-username': 'root' }, context));
    assert.equal(headers.has('x-user-id'), false);
    assert.equal(headers.has('x-username'), false);
  });

  test('replaces X-Forwarded-* from an untrusted client', () => {
    const headers = byName(
      upstreamRequestHeaders(
        { host: 'chat.example', 'x-forwarded-for': '6.6.6.6', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
        context,
      ),
    );
    assert.deepEqual(headers.get('x-forwarded-for'), ['10.0.0.7']);
    assert.deepEqual(headers.get('x-forwarded-proto'), ['http']);
    assert.deepEqual(headers.get('x-forwarded-host'), ['chat.example']);
  });

  test('extends X-Forwarded-* when forwarded headers are trusted', () => {
    const headers = byName(
      upstreamRequestHeaders(
        { host: 'gateway.internal', 'x-forwarded-for': '203.0.113.5', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'chat.example' },
        { ...context, trustForwarded: true },
      ),
    );
    assert.deepEqual(headers.get('x-forwarded-for'), ['203.0.113.5, 10.0.0.7']);
    assert.deepEqual(headers.get('x-forwarded-proto'), ['https']);
    assert.deepEqual(headers.get('x-forwarded-host'), ['chat.example']);
  });
});

describe('clientResponseHeaders', () => {
  test('keeps each Set-Cookie as its own header', () => {
    const headers = byName(clientResponseHeaders({ 'set-cookie': ['a=1; HttpOnly', 'b=2; Path=/'], 'content-type': 'text/plain' }, 'req-2'));
    assert.deepEqual(headers.get('set-cookie'), ['a=1; HttpOnly', 'b=2; Path=/']);
  });

  test('drops hop-by-hop headers and sets the request id', () => {
    const headers = byName(
      clientResponseHeaders(
        { connection: 'close, x-upstream-hop', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', 'x-upstream-hop': '1', 'x-request-id': 'other', etag: '"v1"' },
        'req-3',
      ),
    );
    for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'x-upstream-hop']) assert.equal(headers.has(name), false, `${name} was passed on`);
    assert.deepEqual(headers.get('x-request-id'), ['req-3']);
    assert.deepEqual(headers.get('etag'), ['"v1"']);
  });
});
