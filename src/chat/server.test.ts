import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { callJson, signTestToken, startTestChat, type TestChat } from './testing.ts';

let chat: TestChat;
let token: string;
let otherToken: string;

before(async () => {
  chat = await startTestChat('chat-server', { PERSONA_SEED: '42' });
  token = await signTestToken({ sub: randomUUID(), username: 'ada' });
  otherToken = await signTestToken({ sub: randomUUID(), username: 'grace' });
});

after(async () => {
  await chat?.close();
});

function post(body: unknown, authToken = token, headers: Record<string, string> = {}) {
  return callJson(chat.url, 'POST', '/mad-scientist/message', { token: authToken, body, headers });
}

describe('health', () => {
  test('reports the database up', async () => {
    const response = await callJson(chat.url, 'GET', '/health');
    assert.equal(response.status, 200);
    assert.equal(response.body.status, 'healthy');
    assert.equal(response.body.service, 'chat');
    assert.deepEqual(response.body.checks, { database: 'up' });
    assert.equal(typeof response.body.uptime_seconds, 'number');
    assert.equal(response.body.meta.request_id, response.headers.get('x-request-id'));
  });
});

describe('POST /mad-scientist/message', () => {
  test('round trip stores the message and the reply', async () => {
    const response = await post({ message: 'All swans are white.' });
    assert.equal(response.status, 201);
    const { conversation_id, message, reply, meta } = response.body;
    assert.match(conversation_id, /^[0-9a-f-]{36}$/);
    assert.equal(message.role, 'user');
    assert.equal(message.content, 'All swans are white.');
    assert.equal(message.conversation_id, conversation_id);
    assert.equal(reply.role, 'assistant');
    assert.equal(reply.conversation_id, conversation_id);
    assert.match(reply.content, /black swans/);
    assert.equal(typeof message.id, 'string');
    assert.ok(BigInt(reply.id) > BigInt(message.id));
    assert.ok(!Number.isNaN(Date.parse(reply.created_at)));
    assert.equal(typeof meta.request_id, 'string');

    const history = await callJson(chat.url, 'GET', `/mad-scientist/history?conversation_id=${conversation_id}`, { token });
    assert.deepEqual(history.body.messages, [reply, message]);
  });

  test('continues a conversation given at top level or in context', async () => {
    const first = await post({ message: 'I keep a tortoise named Newton.' });
    const conversationId = first.body.conversation_id;
    const second = await post({ message: 'Does the tortoise like lettuce?', conversation_id: conversationId });
    assert.equal(second.status, 201);
    assert.equal(second.body.conversation_id, conversationId);
    assert.match(second.body.reply.content, /tortoise/i, 'the reply refers back to the earlier message');
    const third = await post({ message: 'And carrots?', context: { conversation_id: conversationId } });
    assert.equal(third.body.conversation_id, conversationId);

    const history = await callJson(chat.url, 'GET', `/mad-scientist/history?conversation_id=${conversationId}`, { token });
    assert.equal(history.body.messages.length, 6);
  });

  test('same seed and same conversation give the same reply', async () => {
    const first = await post({ message: 'Quantum crystals are better than vitamins.' });
    const second = await post({ message: 'Quantum crystals are better than vitamins.' });
    assert.notEqual(first.body.conversation_id, second.body.conversation_id);
    assert.equal(first.body.reply.content, second.body.reply.content);
  });

  test('foreign or unknown conversation is 404', async () => {
    const mine = await post({ message: 'My private experiment.' });
    const foreign = await post({ message: 'Let me in.', conversation_id: mine.body.conversation_id }, otherToken);
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, 'NOT_FOUND');
    const unknown = await post({ message: 'Hello?', context: { conversation_id: randomUUID() } });
    assert.equal(unknown.status, 404);

    const otherHistory = await callJson(chat.url, 'GET', '/mad-scientist/history', { token: otherToken });
    assert.equal(otherHistory.body.messages.length, 0, 'the refused message was not stored');
  });

  test('invalid bodies are 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'message'],
      [{ message: '' }, 'message'],
      [{ message: '   \n ' }, 'message'],
      [{ message: 'x'.repeat(4001) }, 'message'],
      [{ message: 'hi', conversation_id: 'not-a-uuid' }, 'conversation_id'],
      [{ message: 'hi', context: { conversation_id: 'nope' } }, 'context.conversation_id'],
      [{ message: 'hi', conversation_id: randomUUID(), context: { conversation_id: randomUUID() } }, 'conversation_id'],
      [{ message: 'hi', context: 'text' }, 'context'],
    ];
    for (const [body, field] of cases) {
      const response = await post(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.body.error.code, 'VALIDATION_FAILED');
      assert.ok(
        response.body.error.details.some((detail: { field: string }) => detail.field === field),
        `${JSON.stringify(body)} -> ${JSON.stringify(response.body.error.details)}`,
      );
    }
  });

  test('4000 characters are accepted', async () => {
    const response = await post({ message: 'é'.repeat(4000) });
    assert.equal(response.status, 201);
  });

  test('4000 escaped emoji fit the body limit', async () => {
    // 🧪 is two UTF-16 units, each sent as a \uXXXX escape: 48000 bytes of message text.
    const escaped = '\\ud83e\\uddea'.repeat(4000);
    const response = await fetch(`${chat.url}/mad-scientist/message`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: `{"message":"${escaped}"}`,
    });
    assert.equal(response.status, 201);
    const body = await response.json();
    assert.equal(body.message.content, '🧪'.repeat(4000));
  });

  test('malformed JSON is 400 BAD_REQUEST', async () => {
    const response = await fetch(`${chat.url}/mad-scientist/message`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"message": ',
    });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error.code, 'BAD_REQUEST');
  });
});

describe('access tokens', () => {
  const routes: Array<[string, string, unknown?]> = [
    ['POST', '/mad-scientist/message', { message: 'hi' }],
    ['GET', '/mad-scientist/history'],
    ['GET', '/mad-scientist/conversations'],
    ['GET', '/mad-scientist/avatar'],
    ['POST', '/mad-scientist/avatar', {}],
  ];

  test('missing token is 401 on every protected route', async () => {
    for (const [method, path, body] of routes) {
      const response = await callJson(chat.url, method, path, { body });
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.equal(response.body.error.code, 'UNAUTHORIZED');
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
  });

  test('forged, expired and foreign tokens are 401', async () => {
    const forged = await signTestToken({ secret: 'another-secret-that-is-long-enough-0123456789' });
    const expired = await signTestToken({ expiresIn: -120 });
    const wrongAudience = await signTestToken({ audience: 'someone-else' });
    const wrongIssuer = await signTestToken({ issuer: 'someone-else' });
    const expectations: Array<[string, string]> = [
      [forged, 'UNAUTHORIZED'],
      [expired, 'TOKEN_EXPIRED'],
      [wrongAudience, 'UNAUTHORIZED'],
      [wrongIssuer, 'UNAUTHORIZED'],
      ['not.a.jwt', 'UNAUTHORIZED'],
    ];
    for (const [badToken, code] of expectations) {
      const response = await callJson(chat.url, 'GET', '/mad-scientist/history', { token: badToken });
      assert.equal(response.status, 401);
      assert.equal(response.body.error.code, code);
    }
  });

  test('a token with alg "none" is 401', async () => {
    const payload = Buffer.from(JSON.stringify({ sub: randomUUID(), username: 'x', iss: 'mad-scientist-auth', aud: 'mad-scientist', jti: 'j', iat: 1, exp: 4102444800 })).toString('base64url');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    const response = await callJson(chat.url, 'GET', '/mad-scientist/history', { token: unsigned });
    assert.equal(response.status, 401);
  });
});

describe('GET /mad-scientist/conversations', () => {
  test('lists own conversations by latest activity with titles', async () => {
    const reader = await signTestToken({ sub: randomUUID() });
    const longMessage = `Why do ${'very '.repeat(30)}old stars twinkle?`;
    const first = await post({ message: longMessage }, reader);
    const second = await post({ message: 'Second experiment.' }, reader);
    await post({ message: 'Back to the first one.', conversation_id: first.body.conversation_id }, reader);

    const response = await callJson(chat.url, 'GET', '/mad-scientist/conversations', { token: reader });
    assert.equal(response.status, 200);
    const ids = response.body.conversations.map((conversation: { id: string }) => conversation.id);
    assert.deepEqual(ids, [first.body.conversation_id, second.body.conversation_id]);
    const [latest] = response.body.conversations;
    assert.ok(latest.title.length <= 60);
    assert.ok(latest.title.startsWith('Why do very'));
    assert.ok(latest.title.endsWith('…'));
    assert.ok(Date.parse(latest.updated_at) >= Date.parse(latest.created_at));
  });
});
