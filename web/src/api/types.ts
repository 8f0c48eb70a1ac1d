/** Response shapes of the gateway's /api routes, as the client reads them. */

export interface User {
  id: string;
  username: string;
  email: string;
  created_at: string;
}

export interface ResponseMeta {
  request_id: string;
}

export interface TokenPair {
  user: User;
  access_token: string;
  /** Left out by the server when the refresh token went into the HttpOnly cookie, as it does for this client. */
  refresh_token?: string;
  token_type: 'Bearer';
  /** Access token lifetime in seconds. */
  expires_in: number;
  /** Refresh token lifetime in seconds. */
  refresh_expires_in: number;
}

export interface ChatMessage {
  id: string;
  conversation_id: string;
  role: 'user' | 'assistant';
  content: string;
  created_at: string;
}

export interface HistoryPage {
  /** Newest first, as the API returns them. */
  messages: ChatMessage[];
  next_cursor: string | null;
}

export interface Conversation {
  id: string;
  title: string;
  created_at: string;
  updated_at: string;
}

export interface Avatar {
  id: string;
  style: string;
  seed: string;
  url: string;
  content_type: string;
  created_at: string;
}

export interface Dashboard {
  profile: User | null;
  chat_history: HistoryPage | null;
  avatar: Avatar | null;
  meta: ResponseMeta & {
    profile_available: boolean;
    history_available: boolean;
    avatar_available: boolean;
  };
}

/** The body of a `done` event, and of the JSON response to POST /api/chat/message. */
export interface MessageExchange {
  conversation_id: string;
  message: ChatMessage;
  reply: ChatMessage;
}

export interface ErrorDetail {
  field?: string;
  message: string;
}

export interface ErrorPayload {
  code: string;
  message: string;
  details?: ErrorDetail[];
}
