import type { ChatMessage, HistoryPage, MessageExchange } from '../api/types.ts';

/** A message as the list shows it, including ones still on their way. */
export interface DisplayMessage {
  /** The server id once stored, a local key before. */
  key: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: string;
  state: 'stored' | 'sending' | 'streaming' | 'failed';
}

export interface ChatState {
  /** The open conversation; null until the first message of a new one is stored. */
  conversationId: string | null;
  /** Oldest first. */
  messages: DisplayMessage[];
  /** Cursor of the next older page of the open conversation; null when the oldest message is loaded. */
  nextCursor: string | null;
  older: { loading: boolean; error: unknown };
  /** True while a conversation's first page loads. */
  opening: boolean;
  openError: unknown;
  sending: boolean;
  sendError: unknown;
  /** The text of the last completed reply, for the screen reader announcement. */
  announcement: string;
}

export type ChatAction =
  | { type: 'open-started'; conversationId: string | null }
  | { type: 'opened'; conversationId: string | null; page: HistoryPage }
  | { type: 'open-failed'; error: unknown }
  | { type: 'older-started' }
  | { type: 'older-loaded'; page: HistoryPage }
  | { type: 'older-failed'; error: unknown }
  | { type: 'send-started'; text: string; localKey: string; at: string }
  | { type: 'delta'; text: string }
  | { type: 'send-done'; exchange: MessageExchange }
  | { type: 'send-failed'; error: unknown };

export const emptyChatState: ChatState = {
  conversationId: null,
  messages: [],
  nextCursor: null,
  older: { loading: false, error: null },
  opening: false,
  openError: null,
  sending: false,
  sendError: null,
  announcement: '',
};

/**
 * Builds the first state from the dashboard's history, which spans all
 * conversations: the newest message's conversation opens, with its messages
 * from that page. Keyset pagination makes the page's cursor right for that
 * conversation too, because every newer message of it is already in the page.
 */
export function chatStateFromDashboard(history: HistoryPage | null): ChatState {
  const newest = history?.messages[0];
  if (!history || !newest) return emptyChatState;
  const conversationId = newest.conversation_id;
  const own = history.messages.filter((message) => message.conversation_id === conversationId);
  return { ...emptyChatState, conversationId, messages: toDisplay(own), nextCursor: history.next_cursor };
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'open-started':
      return { ...emptyChatState, conversationId: action.conversationId, opening: action.conversationId !== null };
    case 'opened':
      if (action.conversationId !== state.conversationId) return state;
      return { ...state, opening: false, messages: toDisplay(action.page.messages), nextCursor: action.page.next_cursor };
    case 'open-failed':
      return { ...state, opening: false, openError: action.error };
    case 'older-started':
      return { ...state, older: { loading: true, error: null } };
    case 'older-loaded': {
      const known = new Set(state.messages.map((message) => message.key));
      const older = toDisplay(action.page.messages).filter((message) => !known.has(message.key));
      return { ...state, messages: [...older, ...state.messages], nextCursor: action.page.next_cursor, older: { loading: false, error: null } };
    }
    case 'older-failed':
      return { ...state, older: { loading: false, error: action.error } };
    case 'send-started': {
      const question: DisplayMessage = { key: action.localKey, role: 'user', content: action.text, createdAt: action.at, state: 'sending' };
      const reply: DisplayMessage = { key: `${action.localKey}-reply`, role: 'assistant', content: '', createdAt: action.at, state: 'streaming' };
      return { ...state, messages: [...state.messages, question, reply], sending: true, sendError: null };
    }
    case 'delta':
      return { ...state, messages: updatePending(state.messages, 'streaming', (message) => ({ ...message, content: message.content + action.text })) };
    case 'send-done': {
      const { exchange } = action;
      const settled = state.messages.filter((message) => message.state !== 'sending' && message.state !== 'streaming');
      const stored = toDisplay([exchange.reply, exchange.message]);
      return { ...state, conversationId: exchange.conversation_id, messages: [...settled, ...stored], sending: false, announcement: exchange.reply.content };
    }
    case 'send-failed': {
      const messages = state.messages
        .filter((message) => !(message.state === 'streaming' && message.content === ''))
        .map((message): DisplayMessage => (message.state === 'sending' || message.state === 'streaming' ? { ...message, state: 'failed' } : message));
      return { ...state, messages, sending: false, sendError: action.error };
    }
  }
}

/** Converts an API page (newest first) to display order (oldest first). */
function toDisplay(messages: ChatMessage[]): DisplayMessage[] {
  return messages
    .slice()
    .reverse()
    .map((message) => ({ key: message.id, role: message.role, content: message.content, createdAt: message.created_at, state: 'stored' }));
}

function updatePending(messages: DisplayMessage[], state: DisplayMessage['state'], change: (message: DisplayMessage) => DisplayMessage): DisplayMessage[] {
  const index = messages.findLastIndex((message) => message.state === state);
  if (index === -1) return messages;
  const next = messages.slice();
  next[index] = change(next[index]);
  return next;
}
