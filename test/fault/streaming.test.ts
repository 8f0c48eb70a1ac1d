/**
 * Streams through the gateway: server-sent events from the real chat service
 * arrive one by one, a stream that outlasts the headers timeout but keeps
 * sending survives, and a stream that goes quiet is cut by the idle timeout.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startAuthService } from '../../src/auth/server.ts';
import { startChatService } from '../../src/chat/server.ts';
import { createTestStorage, type TestStorage } from '../../src/common/test-support.ts';
import { startTestGateway, type TestGateway } from '../../src/gateway/test-support.ts';
import { everyCall } from './fault-backend.ts';
import { bearer, startRig, type FaultRig } from './rig.ts';

interface Received {
  status: number;
  contentType: string | undefined;
  /** Each chunk with the milliseconds since the request started. */
  chunks: Array<{ text: string; atMs: number }>;
  outcome: 'ended' | 'cut';
  elapsedMs: number;
}

/** POSTs `body` to `url` asking for an event stream and records every chunk as it arrives. */
function receiveStream(url: string, headers: Record<string, string>, body: string): Promise<Received> {
  const started = performance.now();
  return new Promise((resolve) => {
    const received: Received = { status: 0, contentType: undefined, chunks: [], outcome: 'cut', elapsedMs: 0 };
    const finish = (outcome: 'ended' | 'cut') => {
      received.outcome = outcome;
      received.elapsedMs = performance.now() - started;
      resolve(received);
    };
    const request = httpRequest(url, { method: 'POST', headers: { ...headers, accept: 'text/event-stream', 'content-type': 'application/json' } }, (response) => {
      received.status = response.statusCode ?? 0;
      received.contentType = response.headers['content-type'];
      response.setEncoding('utf8');
      response.on('data', (text: string) => received.chunks.push({ text, atMs: performance.now() - started }));
      response.on('end', () => finish(response.complete ? 'ended' : 'cut'));
      response.on('aborted', () => finish('cut'));
      response.on('error', () => finish('cut'));
    });
    request.on('error', () => finish('cut'));
    request.end(body);
  });
}

/** Splits an event-stream body into its events. */
function parseEvents(text: string): Array<{ event: string; data: any }> {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1];
      return { event, data: data === undefined ? null : JSON.parse(data) };
    });
}

describe('streaming from the real chat service', () => {
  let storage: TestStorage;
  let services: Array<{ close(): Promise<void> }> = [];
  let gateway: TestGateway;
  let token: string;

  before(async () => {
    storage = createTestStorage('fault-stream');
    const auth = await startAuthService({ ...storage.env, PORT: '0' });
    // A pause between deltas, so a whole reply takes far longer than the headers timeout.
    const chat = await startChatService({ ...storage.env, PORT: '0', PERSONA_STREAM_DELAY_MS: '60' });
    services = [auth, chat];
    gateway = await startTestGateway(
      { auth: auth.url, chat: chat.url },
      { DATA_DIR: storage.env.DATA_DIR!, CHAT_MESSAGE_TIMEOUT_MS: '1000', UPSTREAM_BODY_TIMEOUT_MS: '3000' },
    );
    const username = `stream_${Date.now().toString(36)}`;
    const registered = await fetch(`${gateway.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, email: `${username}@example.com`, password: 'correct horse battery' }),
    });
    assert.equal(registered.status, 201);
    token = (await registered.json()).access_token;
  });

  after(async () => {
    await gateway?.close();
    for (const service of services) await service.close();
    await storage?.cleanup();
  });

  test('events arrive one by one, past the headers timeout', async () => {
    const received = await receiveStream(`${gateway.url}/api/chat/message`, { authorization: `Bearer ${token}` }, JSON.stringify({ message: 'Explain entropy in detail, please.' }));
    assert.equal(received.status, 200);
    assert.match(received.contentType ?? '', /^text\/event-stream/);
    assert.equal(received.outcome, 'ended');

    const events = parseEvents(received.chunks.map((chunk) => chunk.text).join(''));
    const deltas = events.filter((event) => event.event === 'delta');
    assert.ok(deltas.length >= 5, `only ${deltas.length} delta events`);
    assert.equal(events.at(-1)?.event, 'done');
    assert.equal(events.at(-1)?.data.reply.content, deltas.map((event) => event.data.text).join(''));

    // Unbuffered: the chunks came over the whole reply, not in one piece at its end.
    assert.ok(received.chunks.length >= 5, `the stream came in ${received.chunks.length} chunks`);
    const spread = received.chunks.at(-1)!.atMs - received.chunks[0].atMs;
    assert.ok(spread >= 1000, `the chunks arrived within ${spread} ms, so the stream did not outlast the headers timeout`);
  });
});

describe('streaming from a fake upstream', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({ CHAT_MESSAGE_TIMEOUT_MS: '300', UPSTREAM_BODY_TIMEOUT_MS: '600' });
  });
  after(() => rig.close());

  test('long stream that keeps sending survives', async () => {
    const chunks = Array.from({ length: 12 }, (_, index) => `event: delta\ndata: {"text":"${index}"}\n\n`);
    rig.chat.fault = everyCall({ kind: 'trickle', chunks, intervalMs: 150 });
    const received = await receiveStream(`${rig.url}/api/chat/message`, bearer(rig), '{"message":"go"}');
    assert.equal(received.status, 200);
    assert.equal(received.outcome, 'ended');
    assert.equal(received.chunks.map((chunk) => chunk.text).join(''), chunks.join(''));
    assert.ok(received.elapsedMs >= 1500, `the stream took only ${received.elapsedMs} ms`);
    // Each chunk is passed on when it arrives.
    assert.ok(received.chunks[0].atMs < received.chunks.at(-1)!.atMs - 1200, 'the chunks arrived together');
  });

  test('quiet stream cut by idle timeout', async () => {
    const chunks = Array.from({ length: 5 }, (_, index) => `event: delta\ndata: {"text":"${index}"}\n\n`);
    rig.chat.fault = everyCall({ kind: 'trickle', chunks, intervalMs: 50, stallAfter: 2 });
    const before = rig.chat.calls.length;
    const received = await receiveStream(`${rig.url}/api/chat/message`, bearer(rig), '{"message":"go"}');
    assert.equal(received.status, 200);
    assert.equal(received.outcome, 'cut', 'a stalled stream ended as if complete');
    assert.equal(received.chunks.map((chunk) => chunk.text).join(''), chunks.slice(0, 2).join(''));
    const quietMs = received.elapsedMs - received.chunks.at(-1)!.atMs;
    assert.ok(quietMs >= 590, `cut after ${quietMs} ms of quiet, before the idle timeout`);
    // undici checks its body timeout on a timer with a resolution of about a second.
    assert.ok(quietMs < 2600, `cut after ${quietMs} ms of quiet`);
    const seen = rig.chat.calls[before];
    assert.ok(await rig.chat.waitFor(() => seen.closedEarlyAt !== null, 1000), 'the upstream stream was never closed');
  });
});
