import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatMessage, MessageExchange } from '../api/types.ts';
import { chatReducer, chatStateFromDashboard, emptyChatState } from './chat-state.ts';

function message(id: number, conversation: string, role: ChatMessage['role'] = 'user'): ChatMessage {
  return { id: String(id), conversation_id: conversation, role, content: `message ${id}`, created_at: new Date(id * 1000).toISOString() };
}

test('dashboard opens the newest conversation', () => {
  // Newest first, as the API returns history; conversation "b" has the newest message.
  const state = chatStateFromDashboard({ messages: [message(5, 'b'), message(4, 'a'), message(3, 'b'), message(2, 'a')], next_cursor: 'c1' });
  assert.equal(state.conversationId, 'b');
  assert.deepEqual(
    state.messages.map((item) => item.key),
    ['3', '5'],
  );
  assert.equal(state.nextCursor, 'c1');
});

test('dashboard without history opens a new conversation', () => {
  assert.equal(chatStateFromDashboard(null).conversationId, null);
  assert.equal(chatStateFromDashboard({ messages: [], next_cursor: null }).messages.length, 0);
});

test('older page goes before the loaded messages', () => {
  let state = chatStateFromDashboard({ messages: [message(4, 'a'), message(3, 'a')], next_cursor: 'c1' });
  state = chatReducer(state, { type: 'older-started' });
  assert.equal(state.older.loading, true);
  // The page repeats message 3, as a page boundary may after a concurrent insert; it must not show twice.
  state = chatReducer(state, { type: 'older-loaded', page: { messages: [message(3, 'a'), message(2, 'a'), message(1, 'a')], next_cursor: null } });
  assert.deepEqual(
    state.messages.map((item) => item.key),
    ['1', '2', '3', '4'],
  );
  assert.equal(state.nextCursor, null);
  assert.equal(state.older.loading, false);
});

test('streamed reply grows and then settles', () => {
  let state = chatReducer(emptyChatState, { type: 'send-started', text: 'Hello?', localKey: 'l1', at: '2030-01-01T00:00:00.000Z' });
  assert.equal(state.sending, true);
  assert.deepEqual(
    state.messages.map((item) => item.state),
    ['sending', 'streaming'],
  );
  state = chatReducer(state, { type: 'delta', text: 'Mwa' });
  state = chatReducer(state, { type: 'delta', text: 'ha!' });
  assert.equal(state.messages[1].content, 'Mwaha!');

  const exchange: MessageExchange = { conversation_id: 'new', message: message(10, 'new'), reply: { ...message(11, 'new', 'assistant'), content: 'Mwaha!' } };
  state = chatReducer(state, { type: 'send-done', exchange });
  assert.equal(state.sending, false);
  assert.equal(state.conversationId, 'new');
  assert.deepEqual(
    state.messages.map((item) => [item.key, item.state]),
    [
      ['10', 'stored'],
      ['11', 'stored'],
    ],
  );
  assert.equal(state.announcement, 'Mwaha!');
});

test('failed send keeps the question marked', () => {
  let state = chatReducer(emptyChatState, { type: 'send-started', text: 'Hello?', localKey: 'l1', at: '2030-01-01T00:00:00.000Z' });
  state = chatReducer(state, { type: 'send-failed', error: new Error('down') });
  assert.equal(state.sending, false);
  assert.deepEqual(
    state.messages.map((item) => [item.role, item.state]),
    [['user', 'failed']],
  );
  assert.ok(state.sendError instanceof Error);
});

test('late page of a closed conversation is ignored', () => {
  let state = chatReducer(emptyChatState, { type: 'open-started', conversationId: 'a' });
  assert.equal(state.opening, true);
  state = chatReducer(state, { type: 'open-started', conversationId: 'b' });
  state = chatReducer(state, { type: 'opened', conversationId: 'a', page: { messages: [message(1, 'a')], next_cursor: null } });
  assert.equal(state.messages.length, 0);
  assert.equal(state.opening, true);
  state = chatReducer(state, { type: 'opened', conversationId: 'b', page: { messages: [message(2, 'b')], next_cursor: 'x' } });
  assert.equal(state.messages[0].key, '2');
  assert.equal(state.nextCursor, 'x');
});
