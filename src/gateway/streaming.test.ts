/**
 * Responses stream through the gateway: server-sent events arrive one by one,
 * and a large body arrives whole under backpressure.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { echoHandler, FakeUpstream, signToken, startTestGateway, type TestGateway } from './test-support.ts';

let chat: FakeUpstream;
let gateway: TestGateway;
let token: string;

before(async () => {
  chat = await FakeUpstream.start();
  gateway = await startTestGateway({ auth: chat.url, chat: chat.url });
  token = await signToken();
});

after(async () => {
  await gateway.close();
  await chat.stop();
});

/** Rejects after `ms`, so a stream the gateway buffers fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, ms: number, expected: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${expected} did not arrive within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

test('server-sent events reach the client one by one', async () => {
  let releaseSecond!: () => void;
  const secondMayGo = new Promise<void>((resolve) => (releaseSecond = resolve));
  let secondWritten = false;
  chat.handler = (request, response, recorded) => {
    if (recorded.url === '/health') return echoHandler(request, response, recorded);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    response.write('event: delta\ndata: {"text":"It\'s "}\n\n');
    void secondMayGo.then(() => {
      secondWritten = true;
      response.write('event: delta\ndata: {"text":"alive!"}\n\n');
      response.end('event: done\ndata: {"conversation_id":"c"}\n\n');
    });
  };

  const response = await fetch(`${gateway.url}/api/chat/message`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'Is it alive?' }),
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();

  let received = '';
  while (!received.includes('\n\n')) {
    const { value, done } = await within(reader.read(), 2000, 'the first event');
    assert.equal(done, false, 'the stream ended before the first event');
    received += decoder.decode(value, { stream: true });
  }
  assert.equal(secondWritten, false);
  assert.equal(received, 'event: delta\ndata: {"text":"It\'s "}\n\n');

  releaseSecond();
  for (;;) {
    const { value, done } = await within(reader.read(), 2000, 'the rest of the stream');
    if (done) break;
    received += decoder.decode(value, { stream: true });
  }
  assert.match(received, /event: delta\ndata: \{"text":"alive!"\}\n\n/);
  assert.match(received, /event: done\ndata: \{"conversation_id":"c"\}\n\n$/);
});

test('large response arrives whole to a slow reader', async () => {
  const body = randomBytes(4 * 1024 * 1024);
  chat.handler = (request, response, recorded) => {
    if (recorded.url === '/health') return echoHandler(request, response, recorded);
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    response.end(body);
  };
  const digest = await new Promise<string>((resolve, reject) => {
    const request = httpRequest(`${gateway.url}/mad-scientist/avatars/big.svg`, (response) => {
      const hash = createHash('sha256');
      let chunks = 0;
      response.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        chunks += 1;
        // Pause now and then, so the gateway's writes back up and it must pause the upstream.
        if (chunks % 16 === 0) {
          response.pause();
          setTimeout(() => response.resume(), 5);
        }
      });
      response.on('end', () => resolve(hash.digest('hex')));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
  assert.equal(digest, createHash('sha256').update(body).digest('hex'));
});

test('upstream reset after the headers cuts the client connection', async () => {
  chat.handler = (request, response, recorded) => {
    if (recorded.url === '/health') return echoHandler(request, response, recorded);
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
    response.write('only part of it');
    setTimeout(() => response.socket?.destroy(), 20);
  };
  const outcome = await new Promise<string>((resolve) => {
    const request = httpRequest(`${gateway.url}/mad-scientist/partial`, (response) => {
      response.on('data', () => {});
      response.on('end', () => resolve('ended'));
      response.on('error', () => resolve('cut'));
      response.on('aborted', () => resolve('cut'));
    });
    request.on('error', () => resolve('cut'));
    request.end();
  });
  assert.equal(outcome, 'cut', 'a truncated body was delivered as complete');
});
