import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { encodeCursor } from '../cursor.ts';
import { callJson, signTestToken, startTestChat, type TestChat } from '../testing.ts';

let chat: TestChat;

before(async () => {
  chat = await startTestChat('chat-history');
});

after(async () => {
  await chat?.close();
});

async function postMessage(token: string, message: string, conversationId?: string) {
  const response = await callJson(chat.url, 'POST', '/mad-scientist/message', {
    token,
    body: { message, conversation_id: conversationId },
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body as { conversation_id: string };
}

function getHistory(token: string, query: string) {
  return callJson(chat.url, 'GET', `/mad-scientist/history${query}`, { token });
}

describe('GET /mad-scientist/history', () => {
  test('pages never skip or repeat while messages are added between reads', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    for (let i = 0; i < 12; i += 1) await postMessage(token, `Observation ${i}: the beaker is warm.`);
    const before = (await getHistory(token, '?limit=100')).body.messages.map((m: { id: string }) => m.id);
    assert.equal(before.length, 24);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let added = 0;
    do {
      const query: string = cursor ? `?limit=5&cursor=${encodeURIComponent(cursor)}` : '?limit=5';
      // Each page read races with two new messages stored at the same moment.
      const [page] = await Promise.all([
        getHistory(token, query),
        postMessage(token, `Interruption ${pages}a`),
        postMessage(token, `Interruption ${pages}b`),
      ]);
      added += 2;
      assert.equal(page.status, 200);
      assert.ok(page.body.messages.length <= 5);
      seen.push(...page.body.messages.map((m: { id: string }) => m.id));
      cursor = page.body.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 50);

    assert.ok(pages >= 5, `expected several pages, got ${pages}`);
    assert.equal(new Set(seen).size, seen.length, 'a message appeared twice');
    for (const id of before) assert.ok(seen.includes(id), `message ${id} was skipped`);
    const ordered = [...seen].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1));
    assert.deepEqual(seen, ordered, 'pages are newest first');

    const total = (await getHistory(token, '?limit=100')).body.messages.length;
    assert.equal(total, 24 + added * 2, 'every interrupting message and its reply were stored');
  });

  test('default limit is 20 and newest comes first', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    for (let i = 0; i < 11; i += 1) await postMessage(token, `Sample ${i}`);
    const page = await getHistory(token, '?cursor=');
    assert.equal(page.body.messages.length, 20);
    assert.equal(typeof page.body.next_cursor, 'string');
    assert.equal(page.body.messages[0].role, 'assistant');
    assert.equal(page.body.messages[1].content, 'Sample 10');
    const rest = await getHistory(token, `?cursor=${page.body.next_cursor}`);
    assert.equal(rest.body.messages.length, 2);
    assert.equal(rest.body.messages[1].content, 'Sample 0');
    assert.equal(rest.body.next_cursor, null);
  });

  test('conversation filter pages through one conversation only', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    const { conversation_id: chosen } = await postMessage(token, 'Chosen 0');
    await postMessage(token, 'Other conversation');
    for (let i = 1; i < 4; i += 1) await postMessage(token, `Chosen ${i}`, chosen);

    const contents: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await getHistory(token, `?limit=3&conversation_id=${chosen}${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      for (const message of page.body.messages) {
        assert.equal(message.conversation_id, chosen);
        contents.push(message.content);
      }
      cursor = page.body.next_cursor;
    } while (cursor);
    assert.equal(contents.length, 8);
    assert.deepEqual(contents.filter((content) => content.startsWith('Chosen')), ['Chosen 3', 'Chosen 2', 'Chosen 1', 'Chosen 0']);
  });

  test('users see only their own messages', async () => {
    const alice = await signTestToken({ sub: randomUUID() });
    const bob = await signTestToken({ sub: randomUUID() });
    const { conversation_id } = await postMessage(alice, 'Secret formula');
    const page = await getHistory(bob, '');
    assert.deepEqual(page.body.messages, []);
    assert.equal(page.body.next_cursor, null);
    const foreign = await getHistory(bob, `?conversation_id=${conversation_id}`);
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, 'NOT_FOUND');
  });

  test('bad cursor, limit and conversation id are 400 naming the field', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    const cases: Array<[string, string]> = [
      ['?cursor=garbage!', 'cursor'],
      ['?cursor=NDI', 'cursor'],
      [`?cursor=${encodeCursor('0')}`, 'cursor'],
      [`?cursor=${'A'.repeat(300)}`, 'cursor'],
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=abc', 'limit'],
      ['?limit=2.5', 'limit'],
      ['?conversation_id=42', 'conversation_id'],
    ];
    for (const [query, field] of cases) {
      const response = await getHistory(token, query);
      assert.equal(response.status, 400, query);
      assert.equal(response.body.error.code, 'VALIDATION_FAILED', query);
      assert.ok(
        response.body.error.details.some((detail: { field: string }) => detail.field === field),
        `${query} -> ${JSON.stringify(response.body.error.details)}`,
      );
    }
  });

  test('a cursor beyond every message gives an empty last page', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    await postMessage(token, 'Only one');
    const page = await getHistory(token, `?cursor=${encodeCursor('1')}`);
    assert.equal(page.status, 200);
    assert.deepEqual(page.body.messages, []);
    assert.equal(page.body.next_cursor, null);
  });
});
