import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { AppError } from '../../common/errors.ts';
import { createLogger } from '../../common/logger.ts';
import { startFakeLlm, type FakeLlm } from './fake-llm.ts';
import { OpenAiCompatibleProvider } from './openai.ts';
import { generateWholeReply, type ChatTurn } from './provider.ts';
import { PERSONA_SYSTEM_PROMPT } from './system-prompt.ts';

const logger = createLogger({ service: 'test', level: 'silent' });
const history: ChatTurn[] = [
  { role: 'user', content: 'All swans are white.' },
  { role: 'assistant', content: 'Black swans say otherwise!' },
  { role: 'user', content: 'What about geese?' },
];

let fake: FakeLlm;

function provider(options: { timeoutMs?: number; apiKey?: string; baseUrl?: string } = {}) {
  return new OpenAiCompatibleProvider({
    baseUrl: options.baseUrl ?? fake.baseUrl,
    model: 'fake-model',
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs ?? 5000,
    logger,
  });
}

function isAppError(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.doesNotMatch(error.message, /127\.0\.0\.1|\/v1|chat\/completions|internal detail/);
    return true;
  };
}

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return chunks;
}

before(async () => {
  fake = await startFakeLlm();
});
after(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
});

describe('OpenAI-compatible provider', () => {
  test('whole reply carries persona prompt, history, model and key', async () => {
    fake.behave({ kind: 'json', content: 'Geese are not swans, splendidly so.' });
    const text = await generateWholeReply(provider({ apiKey: 'sk-test' }), history);
    assert.equal(text, 'Geese are not swans, splendidly so.');

    assert.equal(fake.requests.length, 1);
    const [request] = fake.requests;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/v1/chat/completions');
    assert.equal(request.headers.authorization, 'Bearer sk-test');
    assert.equal(request.body.model, 'fake-model');
    assert.equal(request.body.stream, false);
    assert.deepEqual(request.body.messages, [{ role: 'system', content: PERSONA_SYSTEM_PROMPT }, ...history]);
    assert.match(request.body.messages[0].content, /Mad Scientist/);
  });

  test('no key sends no Authorization header', async () => {
    fake.behave({ kind: 'json', content: 'ok' });
    await generateWholeReply(provider(), history);
    assert.equal(fake.requests[0].headers.authorization, undefined);
  });

  test('streaming yields the deltas in order', async () => {
    fake.behave({ kind: 'stream', chunks: ['Geese ', 'honk, ', 'swans ', 'hiss.'] });
    const chunks = await collect(provider().generate(history, { stream: true }));
    assert.deepEqual(chunks, ['Geese ', 'honk, ', 'swans ', 'hiss.']);
    assert.equal(fake.requests[0].body.stream, true);
    assert.equal(fake.requests[0].headers.accept, 'text/event-stream');
  });

  test('no response within the timeout is UPSTREAM_TIMEOUT', async () => {
    fake.behave({ kind: 'hang' });
    const started = Date.now();
    await assert.rejects(generateWholeReply(provider({ timeoutMs: 200 }), history), isAppError('UPSTREAM_TIMEOUT'));
    assert.ok(Date.now() - started < 3000, 'the timeout should fire within a few seconds');
  });

  test('a stream that stalls is UPSTREAM_TIMEOUT after its first chunks', async () => {
    fake.behave({ kind: 'stream', chunks: ['one ', 'two ', 'three'], stallAfter: 1 });
    const received: string[] = [];
    await assert.rejects(async () => {
      for await (const chunk of provider({ timeoutMs: 300 }).generate(history, { stream: true })) received.push(chunk);
    }, isAppError('UPSTREAM_TIMEOUT'));
    assert.deepEqual(received, ['one ']);
  });

  test('a slow but steady stream outlives the idle timeout', async () => {
    fake.behave({ kind: 'stream', chunks: ['a', 'b', 'c', 'd', 'e', 'f'], delayMs: 100 });
    const chunks = await collect(provider({ timeoutMs: 400 }).generate(history, { stream: true }));
    assert.equal(chunks.join(''), 'abcdef');
  });

  test('an upstream error status is UPSTREAM_ERROR without its body', async () => {
    fake.behave({ kind: 'status', status: 500, body: '{"error":{"message":"internal detail"}}' });
    await assert.rejects(generateWholeReply(provider(), history), isAppError('UPSTREAM_ERROR'));
  });

  test('an unreadable body is UPSTREAM_ERROR', async () => {
    fake.behave({ kind: 'raw', contentType: 'application/json', body: 'not json' });
    await assert.rejects(generateWholeReply(provider(), history), isAppError('UPSTREAM_ERROR'));
    fake.behave({ kind: 'raw', contentType: 'application/json', body: '{"choices":[]}' });
    await assert.rejects(generateWholeReply(provider(), history), isAppError('UPSTREAM_ERROR'));
    fake.behave({ kind: 'raw', contentType: 'text/event-stream', body: 'data: {"error":{"message":"boom"}}\n\n' });
    await assert.rejects(collect(provider().generate(history, { stream: true })), isAppError('UPSTREAM_ERROR'));
  });

  test('an unreachable server is UPSTREAM_ERROR', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    server.close();
    await once(server, 'close');
    await assert.rejects(
      generateWholeReply(provider({ baseUrl: `http://127.0.0.1:${port}/v1` }), history),
      isAppError('UPSTREAM_ERROR'),
    );
  });

  test('caller abort stops the upstream stream', async () => {
    fake.behave({ kind: 'stream', chunks: Array.from({ length: 50 }, (_, i) => `w${i} `), delayMs: 50 });
    const controller = new AbortController();
    const received: string[] = [];
    await assert.rejects(async () => {
      for await (const chunk of provider().generate(history, { stream: true, signal: controller.signal })) {
        received.push(chunk);
        if (received.length === 2) controller.abort(new Error('client left'));
      }
    }, /client left/);
    assert.equal(received.length, 2);
    await Promise.race([
      fake.requests[0].aborted,
      new Promise((_, reject) => setTimeout(() => reject(new Error('upstream connection still open after 2 s')), 2000)),
    ]);
  });
});
