/**
 * HTTP framing through a real gateway, read from raw sockets: bodiless
 * statuses keep their headers, compressed bodies and Content-Length pass
 * unchanged, large binary bodies arrive byte for byte, and odd paths and
 * query strings reach the upstream as sent.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { echoHandler, FakeUpstream, rawHeaderLines, rawRequest, startTestGateway, type TestGateway } from './test-support.ts';

let chat: FakeUpstream;
let gateway: TestGateway;

before(async () => {
  chat = await FakeUpstream.start();
  gateway = await startTestGateway({ auth: chat.url, chat: chat.url });
});

after(async () => {
  await gateway.close();
  await chat.stop();
});

beforeEach(() => {
  chat.requests.length = 0;
  chat.handler = echoHandler;
});

/** Sends a raw request on a fresh connection that closes after the response. */
function send(method: string, path: string, extraHeaders: string[] = [], body = ''): Promise<string> {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: gateway', 'Connection: close', ...extraHeaders];
  if (body !== '') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return rawRequest(gateway.gateway.port, `${lines.join('\r\n')}\r\n\r\n${body}`);
}

function bodyOf(response: string): string {
  return response.slice(response.indexOf('\r\n\r\n') + 4);
}

describe('responses without a body', () => {
  test('204 keeps its headers and sends no body', async () => {
    chat.handler = (_request, response) => {
      response.writeHead(204, { 'x-kept': 'yes', 'cache-control': 'no-store' });
      response.end();
    };
    const response = await send('DELETE', '/mad-scientist/thing');
    assert.match(response, /^HTTP\/1\.1 204 /);
    const headers = rawHeaderLines(response);
    assert.ok(headers.includes('x-kept: yes'));
    assert.ok(headers.includes('cache-control: no-store'));
    assert.ok(!headers.some((line) => line.startsWith('transfer-encoding:')), 'a 204 was sent chunked');
    assert.equal(bodyOf(response), '');
  });

  test('304 keeps its validators and sends no body', async () => {
    chat.handler = (_request, response) => {
      response.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=60' });
      response.end();
    };
    const response = await send('GET', '/mad-scientist/avatars/a.svg', ['If-None-Match: "v1"']);
    assert.match(response, /^HTTP\/1\.1 304 /);
    const headers = rawHeaderLines(response);
    assert.ok(headers.includes('etag: "v1"'));
    assert.ok(headers.includes('cache-control: max-age=60'));
    assert.equal(bodyOf(response), '');
    assert.equal(chat.calls[0].headers['if-none-match'], '"v1"');
  });

  test('HEAD keeps Content-Length and the content type and sends no body', async () => {
    chat.handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'image/svg+xml', 'content-length': '2048', etag: '"svg"' });
      response.end();
    };
    const response = await send('HEAD', '/mad-scientist/avatars/a.svg');
    const headers = rawHeaderLines(response);
    assert.ok(headers.includes('content-length: 2048'));
    assert.ok(headers.includes('content-type: image/svg+xml'));
    assert.ok(headers.includes('etag: "svg"'));
    assert.equal(bodyOf(response), '');
  });
});

describe('compressed bodies', () => {
  const plain = JSON.stringify({ messages: Array.from({ length: 200 }, (_, index) => ({ id: index, content: 'Grüße aus dem Labor 🧪' })) });
  const compressed = gzipSync(plain);

  test('a gzip body with Content-Length passes unchanged', async () => {
    chat.handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': compressed.length, vary: 'Accept-Encoding' });
      response.end(compressed);
    };
    const response = await send('GET', '/mad-scientist/history', ['Accept-Encoding: gzip']);
    const headers = rawHeaderLines(response);
    assert.ok(headers.includes('content-encoding: gzip'));
    assert.ok(headers.includes(`content-length: ${compressed.length}`));
    assert.ok(headers.includes('vary: Accept-Encoding'));
    assert.deepEqual(Buffer.from(bodyOf(response), 'latin1'), compressed);
    assert.equal(chat.calls[0].headers['accept-encoding'], 'gzip');
  });

  test('a chunked gzip body arrives whole and still compressed', async () => {
    chat.handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      response.write(compressed.subarray(0, 100));
      setTimeout(() => response.end(compressed.subarray(100)), 20);
    };
    const response = await send('GET', '/mad-scientist/history', ['Accept-Encoding: gzip']);
    const headers = rawHeaderLines(response);
    assert.ok(headers.includes('content-encoding: gzip'));
    assert.ok(headers.includes('transfer-encoding: chunked'));
    assert.ok(!headers.some((line) => line.startsWith('content-length:')), 'a chunked body got a Content-Length');
    // De-chunk the raw body and compare the compressed bytes.
    let rest = Buffer.from(bodyOf(response), 'latin1');
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
      if (size === 0) break;
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 2 + size + 2);
    }
    assert.deepEqual(Buffer.concat(parts), compressed);
  });
});

describe('request bodies and targets', () => {
  test('a large binary body arrives byte for byte', async () => {
    const body = randomBytes(512 * 1024);
    const response = await fetch(`${gateway.url}/mad-scientist/upload`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body });
    assert.equal(response.status, 200);
    assert.equal(chat.calls[0].headers['content-length'], String(body.length));
    assert.equal(createHash('sha256').update(chat.calls[0].body).digest('hex'), createHash('sha256').update(body).digest('hex'));
  });

  test('an empty PUT body stays empty', async () => {
    const response = await send('PUT', '/mad-scientist/empty', ['Content-Length: 0']);
    assert.match(response, /^HTTP\/1\.1 200 /);
    assert.equal(chat.calls[0].body.length, 0);
  });

  const targets: Array<[string, string]> = [
    ['/mad-scientist/c;x=1?q=%E4%B8%96&a=1&a=2&empty=', '/mad-scientist/c;x=1?q=%E4%B8%96&a=1&a=2&empty='],
    ['/mad-scientist/%E4%B8%96/~user?redirect=%2Fhome%3Fa%3D1', '/mad-scientist/%E4%B8%96/~user?redirect=%2Fhome%3Fa%3D1'],
    ['/mad-scientist/space%20and+plus?x=a+b%20c', '/mad-scientist/space%20and+plus?x=a+b%20c'],
    ['/mad-scientist/trailing/?', '/mad-scientist/trailing/?'],
    ['/api/chat/avatars/abc-1.svg?v=%3D%3D', '/mad-scientist/avatars/abc-1.svg?v=%3D%3D'],
  ];
  for (const [sent, expected] of targets) {
    test(`target ${sent} reaches the upstream unchanged`, async () => {
      const response = await send('GET', sent);
      assert.match(response, /^HTTP\/1\.1 200 /);
      assert.equal(chat.calls[0].url, expected);
    });
  }
});
