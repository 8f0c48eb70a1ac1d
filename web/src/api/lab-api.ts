import { ApiError } from './api-error.ts';
import { COOKIE_DELIVERY, readJson, type ApiClient } from './api-client.ts';
import { readServerSentEvents } from './sse.ts';
import type { Avatar, Conversation, Dashboard, HistoryPage, MessageExchange, ResponseMeta, TokenPair, User } from './types.ts';

export interface RegisterInput {
  username: string;
  email: string;
  password: string;
}

export interface LoginInput {
  /** A username or an email address. */
  username: string;
  password: string;
}

export interface HistoryQuery {
  conversationId?: string | null;
  cursor?: string | null;
  limit?: number;
}

export interface SendMessageOptions {
  /** Called with each piece of the reply as it streams in. */
  onDelta?: (text: string) => void;
  signal?: AbortSignal;
}

/** The gateway routes the client uses, one method each. */
export class LabApi {
  readonly client: ApiClient;

  constructor(client: ApiClient) {
    this.client = client;
  }

  async register(input: RegisterInput): Promise<TokenPair> {
    const pair = await this.client.json<TokenPair>('POST', '/api/auth/register', { body: input, auth: false, headers: COOKIE_DELIVERY });
    this.client.startSession(pair);
    return pair;
  }

  async login(input: LoginInput): Promise<TokenPair> {
    const pair = await this.client.json<TokenPair>('POST', '/api/auth/login', { body: input, auth: false, headers: COOKIE_DELIVERY });
    this.client.startSession(pair);
    return pair;
  }

  /**
   * Revokes the session on the server when it can: the server ends the
   * refresh cookie's session and clears the cookies. The local tokens go either way.
   */
  async logout(): Promise<void> {
    const csrfToken = this.client.tokens.csrfToken;
    try {
      if (this.client.tokens.accessToken) {
        await this.client.send('POST', '/api/auth/logout', { headers: csrfToken ? { 'x-csrf-token': csrfToken } : {} });
      }
    } finally {
      this.client.endSession();
    }
  }

  /** Loads profile, history and avatar in one call; when every part fails the result contains three nulls. */
  async dashboard(signal?: AbortSignal): Promise<Dashboard> {
    try {
      return await this.client.json<Dashboard>('GET', '/api/dashboard', { signal });
    } catch (error) {
      if (error instanceof ApiError && error.status === 503 && error.code === 'UPSTREAM_UNAVAILABLE') {
        const meta = { request_id: error.requestId ?? '', profile_available: false, history_available: false, avatar_available: false };
        return { profile: null, chat_history: null, avatar: null, meta };
      }
      throw error;
    }
  }

  profile(): Promise<{ user: User } & { meta: ResponseMeta }> {
    return this.client.json('GET', '/api/auth/profile');
  }

  history(query: HistoryQuery, signal?: AbortSignal): Promise<HistoryPage & { meta: ResponseMeta }> {
    const params = new URLSearchParams();
    if (query.conversationId) params.set('conversation_id', query.conversationId);
    if (query.cursor) params.set('cursor', query.cursor);
    params.set('limit', String(query.limit ?? 20));
    return this.client.json('GET', `/api/chat/history?${params}`, { signal });
  }

  async conversations(signal?: AbortSignal): Promise<Conversation[]> {
    const body = await this.client.json<{ conversations: Conversation[] }>('GET', '/api/chat/conversations', { signal });
    return body.conversations;
  }

  async createAvatar(style: string): Promise<Avatar> {
    const body = await this.client.json<{ avatar: Avatar }>('POST', '/api/chat/avatar', { body: { style } });
    return body.avatar;
  }

  /**
   * Sends a message and streams the reply. Resolves with the stored message and
   * reply from the `done` event; an `error` event or a stream that ends early
   * rejects with ApiError.
   */
  async sendMessage(text: string, conversationId: string | null, options: SendMessageOptions = {}): Promise<MessageExchange> {
    const body: Record<string, unknown> = { message: text };
    if (conversationId) body.conversation_id = conversationId;
    const response = await this.client.send('POST', '/api/chat/message', { body, accept: 'text/event-stream', signal: options.signal });
    const requestId = response.headers.get('x-request-id');

    if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
      // A server that ignores Accept responds with the whole exchange as JSON.
      const exchange = (await readJson(response)) as MessageExchange;
      options.onDelta?.(exchange.reply.content);
      return exchange;
    }
    if (!response.body) throw new ApiError('BAD_RESPONSE', 'The reply stream has no body.', { requestId });

    for await (const event of readServerSentEvents(response.body, options.signal)) {
      const data = parseEventData(event.data, requestId);
      if (event.event === 'delta') {
        const delta = (data as { text?: unknown }).text;
        if (typeof delta === 'string') options.onDelta?.(delta);
      } else if (event.event === 'done') {
        return data as MessageExchange;
      } else if (event.event === 'error') {
        throw ApiError.fromBody(data, response.status, requestId);
      }
    }
    throw new ApiError('STREAM_INTERRUPTED', 'The reply stream ended before its done event.', { requestId });
  }
}

function parseEventData(data: string, requestId: string | null): unknown {
  try {
    return JSON.parse(data);
  } catch (cause) {
    throw new ApiError('BAD_RESPONSE', 'The reply stream contained an unreadable event.', { requestId, cause });
  }
}
