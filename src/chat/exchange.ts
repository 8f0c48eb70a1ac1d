import { AppError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { generateWholeReply, type ChatTurn, type ReplyProvider } from './providers/provider.ts';
import type { ChatStore, MessageRecord } from './store.ts';

const TITLE_LENGTH = 60;

/** A user message and the assistant's reply to it, as POST /mad-scientist/message returns them. */
export interface Exchange {
  conversation_id: string;
  message: MessageRecord;
  reply: MessageRecord;
}

/** A stored user message that still waits for its reply. */
export interface PendingExchange {
  userId: string;
  conversationId: string;
  message: MessageRecord;
  /** The conversation's recent messages, oldest first, ending with `message`. */
  history: ChatTurn[];
}

export interface CompleteOptions {
  signal?: AbortSignal;
  /** Receives each chunk of the reply as the provider produces it; streaming is requested when set. */
  onDelta?: (text: string) => void;
}

/** Builds a conversation title from its first message: one line, cut at a word boundary. */
export function conversationTitle(message: string): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  if (flat.length <= TITLE_LENGTH) return flat;
  const cut = flat.slice(0, TITLE_LENGTH - 1);
  const boundary = cut.lastIndexOf(' ');
  return `${boundary > TITLE_LENGTH / 2 ? cut.slice(0, boundary) : cut}…`;
}

/**
 * Runs one exchange in two steps. `begin` stores the user message (starting a
 * conversation when needed) before any reply exists, so the message stays
 * stored even when generation fails. `complete` generates the reply and
 * stores it; an aborted or failed generation stores nothing.
 */
export class ExchangeService {
  readonly #store: ChatStore;
  readonly #provider: ReplyProvider;
  readonly #contextMessages: number;
  readonly #logger: Logger;

  constructor(options: { store: ChatStore; provider: ReplyProvider; contextMessages: number; logger: Logger }) {
    this.#store = options.store;
    this.#provider = options.provider;
    this.#contextMessages = options.contextMessages;
    this.#logger = options.logger;
  }

  /** Stores the user message; throws NOT_FOUND when the conversation is unknown or another user's. */
  async begin(userId: string, content: string, conversationId?: string): Promise<PendingExchange> {
    const message = await this.#store.appendUserMessage(userId, conversationId, content, conversationTitle(content));
    if (!message) throw new AppError('NOT_FOUND', 'The conversation was not found.');
    const history = await this.#store.recentTurns(message.conversation_id, this.#contextMessages);
    return { userId, conversationId: message.conversation_id, message, history };
  }

  async complete(pending: PendingExchange, options: CompleteOptions = {}): Promise<Exchange> {
    const { signal, onDelta } = options;
    const started = performance.now();
    let text = '';
    if (onDelta) {
      for await (const chunk of this.#provider.generate(pending.history, { signal, stream: true })) {
        if (chunk === '') continue;
        text += chunk;
        onDelta(chunk);
      }
    } else {
      text = await generateWholeReply(this.#provider, pending.history, { signal });
    }
    signal?.throwIfAborted();
    if (text.trim() === '') throw new AppError('UPSTREAM_ERROR', 'The reply provider returned an empty reply.');

    const reply = await this.#store.appendReply(pending.userId, pending.conversationId, text);
    this.#logger.debug(
      { provider: this.#provider.name, conversationId: pending.conversationId, generationMs: Math.round(performance.now() - started) },
      'reply generated',
    );
    return { conversation_id: pending.conversationId, message: pending.message, reply };
  }
}
