import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startFakeLlm, type FakeLlm } from '../providers/fake-llm.ts';
import { PersonaEngine } from '../providers/persona/engine.ts';
import { splitIntoWords } from '../providers/persona/provider.ts';
import { PERSONA_SYSTEM_PROMPT } from '../providers/system-prompt.ts';
import { callJson, parseEventStream, signTestToken, startTestChat, type TestChat } from '../testing.ts';

const STREAM_DELAY_MS = 40;

let persona: TestChat;
let llmChat: TestChat;
let fake: FakeLlm;

before(async () => {
  fake = await startFakeLlm();
  [persona, llmChat] = await Promise.all([
    startTestChat('chat-stream', { PERSONA_SEED: '7', PERSONA_STREAM_DELAY_MS: String(STREAM_DELAY_MS) }),
    startTestChat('chat-llm', { LLM_BASE_URL: fake.baseUrl, LLM_MODEL: 'fake-model', LLM_API_KEY: 'sk-fake', LLM_TIMEOUT_MS: '300' }),
  ]);
});

after(async () => {
  await Promise.all([persona?.close(), llmChat?.close()]);
  await fake?.close();
});

interface RawStream {
  response: IncomingMessage;
  /** Each chunk as it came off the socket, with its arrival time in ms. */
  chunks: Array<{ text: string; at: number }>;
  done: Promise<void>;
  destroy(): void;
}

/** Posts a message with Accept: text/event-stream and records the raw body chunks as they arrive. */
function openStream(baseUrl: string, token: string, body: unknown): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = httpRequest(`${baseUrl}/mad-scientist/message`, {
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: RawStream['chunks'] = [];
      const done = new Promise<void>((finish) => {
        response.on('end', finish);
        response.on('close', finish);
      });
      response.setEncoding('utf8');
      response.on('data', (text: string) => chunks.push({ text, at: performance.now() - started }));
      resolve({ response, chunks, done, destroy: () => request.destroy() });
    });
    request.end(JSON.stringify(body));
  });
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('streamed replies from the persona engine', () => {
  test('deltas arrive one by one before the done event', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    const stream = await openStream(persona.url, token, { message: 'All swans are white.' });
    assert.equal(stream.response.statusCode, 200);
    assert.match(stream.response.headers['content-type'] ?? '', /^text\/event-stream/);
    assert.equal(stream.response.headers['cache-control'], 'no-cache');
    assert.equal(stream.response.headers['x-accel-buffering'], 'no');
    assert.ok(stream.response.headers['x-request-id']);
    await stream.done;

    const text = stream.chunks.map((chunk) => chunk.text).join('');
    const events = parseEventStream(text);
    const deltas = events.filter((event) => event.event === 'delta');
    const done = events.filter((event) => event.event === 'done');
    assert.ok(deltas.length > 10, `expected many deltas, got ${deltas.length}`);
    assert.equal(done.length, 1);
    assert.equal(events[events.length - 1].event, 'done');
    assert.match(text, /^event: delta\ndata: \{"text":"[^"]*"\}\n\n/);

    const firstDelta = stream.chunks.find((chunk) => chunk.text.includes('event: delta'));
    const doneChunk = stream.chunks.find((chunk) => chunk.text.includes('event: done'));
    assert.ok(firstDelta, 'no delta event');
    assert.ok(doneChunk, 'no done event');
    assert.ok(stream.chunks.length >= deltas.length / 2, `deltas were batched into ${stream.chunks.length} reads`);
    assert.ok(
      doneChunk.at - firstDelta.at >= STREAM_DELAY_MS * 5,
      `first delta at ${firstDelta.at} ms, done at ${doneChunk.at} ms: the reply was buffered`,
    );

    const { conversation_id, message, reply } = done[0].data;
    assert.equal(message.content, 'All swans are white.');
    assert.equal(reply.content, deltas.map((event) => event.data.text).join(''));
    assert.match(reply.content, /black swans/);
    const history = await callJson(persona.url, 'GET', `/mad-scientist/history?conversation_id=${conversation_id}`, { token });
    assert.deepEqual(history.body.messages, [reply, message]);
  });

  test('errors before the stream starts are plain JSON', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    const invalid = await callJson(persona.url, 'POST', '/mad-scientist/message', {
      token,
      body: { message: ' ' },
      headers: { accept: 'text/event-stream' },
    });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error.code, 'VALIDATION_FAILED');
    const unknown = await callJson(persona.url, 'POST', '/mad-scientist/message', {
      token,
      body: { message: 'hi', conversation_id: randomUUID() },
      headers: { accept: 'text/event-stream' },
    });
    assert.equal(unknown.status, 404);
  });

  test('client disconnect stops generation and stores no reply', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    const message = 'Nobody likes rainy days.';
    const stream = await openStream(persona.url, token, { message });
    await waitUntil(() => stream.chunks.some((chunk) => chunk.text.includes('event: delta')), 5000, 'the first delta');
    stream.destroy();

    // Wait for as long as the whole reply would take to stream, plus a margin.
    const words = splitIntoWords(new PersonaEngine().reply([{ role: 'user', content: message }], '7')).length;
    await new Promise((resolve) => setTimeout(resolve, words * STREAM_DELAY_MS + 1000));
    const history = await callJson(persona.url, 'GET', '/mad-scientist/history', { token });
    assert.deepEqual(
      history.body.messages.map((message: { role: string }) => message.role),
      ['user'],
      'the user message stays stored and no reply is added',
    );
  });
});

describe('replies from an OpenAI-compatible server', () => {
  test('JSON reply comes from the model with persona prompt and history', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    fake.behave({ kind: 'json', content: 'First answer from the model.' });
    const first = await callJson(llmChat.url, 'POST', '/mad-scientist/message', { token, body: { message: 'Hello, model.' } });
    assert.equal(first.status, 201);
    assert.equal(first.body.reply.content, 'First answer from the model.');

    fake.behave({ kind: 'json', content: 'Second answer.' });
    const requestsBefore = fake.requests.length;
    const second = await callJson(llmChat.url, 'POST', '/mad-scientist/message', {
      token,
      body: { message: 'And again.', context: { conversation_id: first.body.conversation_id } },
    });
    assert.equal(second.status, 201);
    const sent = fake.requests[requestsBefore];
    assert.equal(sent.headers.authorization, 'Bearer sk-fake');
    assert.deepEqual(sent.body.messages, [
      { role: 'system', content: PERSONA_SYSTEM_PROMPT },
      { role: 'user', content: 'Hello, model.' },
      { role: 'assistant', content: 'First answer from the model.' },
      { role: 'user', content: 'And again.' },
    ]);
  });

  test('streamed reply relays the model deltas', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    fake.behave({ kind: 'stream', chunks: ['Geese ', 'are ', 'not ', 'swans.'], delayMs: 20 });
    const stream = await openStream(llmChat.url, token, { message: 'Tell me about geese.' });
    await stream.done;
    const events = parseEventStream(stream.chunks.map((chunk) => chunk.text).join(''));
    assert.deepEqual(
      events.filter((event) => event.event === 'delta').map((event) => event.data.text),
      ['Geese ', 'are ', 'not ', 'swans.'],
    );
    assert.equal(events[events.length - 1].data.reply.content, 'Geese are not swans.');
  });

  test('model timeout is 504 and keeps the user message', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    fake.behave({ kind: 'hang' });
    const response = await callJson(llmChat.url, 'POST', '/mad-scientist/message', { token, body: { message: 'Are you there?' } });
    assert.equal(response.status, 504);
    assert.equal(response.body.error.code, 'UPSTREAM_TIMEOUT');
    const history = await callJson(llmChat.url, 'GET', '/mad-scientist/history', { token });
    assert.deepEqual(history.body.messages.map((m: { content: string }) => m.content), ['Are you there?']);
  });

  test('model error is 502 without upstream details', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    fake.behave({ kind: 'status', status: 503, body: '{"error":"overloaded at internal-host"}' });
    const response = await callJson(llmChat.url, 'POST', '/mad-scientist/message', { token, body: { message: 'Hello?' } });
    assert.equal(response.status, 502);
    assert.equal(response.body.error.code, 'UPSTREAM_ERROR');
    assert.doesNotMatch(JSON.stringify(response.body), /127\.0\.0\.1|internal-host|\/v1/);
  });

  test('model failure during a stream sends an error event', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    fake.behave({ kind: 'stream', chunks: ['Partial ', 'answer'], stallAfter: 1 });
    const stream = await openStream(llmChat.url, token, { message: 'Tell me everything.' });
    await stream.done;
    assert.equal(stream.response.statusCode, 200);
    const events = parseEventStream(stream.chunks.map((chunk) => chunk.text).join(''));
    assert.deepEqual(events.map((event) => event.event), ['delta', 'error']);
    assert.deepEqual(Object.keys(events[1].data.error).sort(), ['code', 'message']);
    assert.equal(events[1].data.error.code, 'UPSTREAM_TIMEOUT');
    const history = await callJson(llmChat.url, 'GET', '/mad-scientist/history', { token });
    assert.deepEqual(history.body.messages.map((m: { role: string }) => m.role), ['user']);
  });

  test('client disconnect closes the model stream', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    fake.behave({ kind: 'stream', chunks: Array.from({ length: 100 }, (_, i) => `word${i} `), delayMs: 50 });
    const requestsBefore = fake.requests.length;
    const stream = await openStream(llmChat.url, token, { message: 'Talk for a long time.' });
    await waitUntil(() => stream.chunks.some((chunk) => chunk.text.includes('event: delta')), 5000, 'the first delta');
    stream.destroy();

    await Promise.race([
      fake.requests[requestsBefore].aborted,
      new Promise((_, reject) => setTimeout(() => reject(new Error('model stream still open 2 s after the client left')), 2000)),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const history = await callJson(llmChat.url, 'GET', '/mad-scientist/history', { token });
    assert.deepEqual(history.body.messages.map((m: { role: string }) => m.role), ['user']);
  });

  test('client disconnect during a JSON request closes the model request', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    // A slow stream keeps resetting the idle timeout, so only the disconnect can end it early.
    fake.behave({ kind: 'stream', chunks: Array.from({ length: 100 }, (_, i) => `word${i} `), delayMs: 50 });
    const requestsBefore = fake.requests.length;
    const controller = new AbortController();
    const pending = fetch(`${llmChat.url}/mad-scientist/message`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Think slowly.' }),
      signal: controller.signal,
    });
    await waitUntil(() => fake.requests.length > requestsBefore, 5000, 'the model request');
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    await assert.rejects(pending);

    await Promise.race([
      fake.requests[requestsBefore].aborted,
      new Promise((_, reject) => setTimeout(() => reject(new Error('model request still open 2 s after the client left')), 2000)),
    ]);
    const health = await callJson(llmChat.url, 'GET', '/health');
    assert.equal(health.status, 200);
  });
});
