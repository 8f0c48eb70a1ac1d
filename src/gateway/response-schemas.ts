/**
 * Response schemas of the public API for the OpenAPI document. The auth
 * ones are the auth service's own response schemas. The others describe the
 * chat service's replies, the dashboard and the gateway's /health, following
 * docs/gateway.md and docs/persona.md.
 */
import { logoutResponse, profileResponse, tokenPairResponse, userObject } from '../auth/schemas.ts';
import { ERROR_CODES } from '../common/errors.ts';
import type { JsonSchema } from './schemas.ts';

const meta = {
  type: 'object',
  required: ['request_id'],
  properties: { request_id: { type: 'string', description: 'The X-Request-Id of the request, also on every log line about it.' } },
} as const;

export const errorResponse = {
  type: 'object',
  required: ['error', 'meta'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_CODES) },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: { type: 'object', required: ['message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
    meta,
  },
} as const;

const chatMessage = {
  type: 'object',
  required: ['id', 'conversation_id', 'role', 'content', 'created_at'],
  properties: {
    id: { type: 'string' },
    conversation_id: { type: 'string', format: 'uuid' },
    role: { type: 'string', enum: ['user', 'assistant'] },
    content: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

const avatar = {
  type: 'object',
  required: ['id', 'style', 'seed', 'url', 'content_type', 'created_at'],
  properties: {
    id: { type: 'string' },
    style: { type: 'string' },
    seed: { type: 'string' },
    url: { type: 'string', description: 'Path of the image, under /api/chat/avatars/.' },
    content_type: { type: 'string', const: 'image/svg+xml' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

const messageReply = {
  type: 'object',
  required: ['conversation_id', 'message', 'reply', 'meta'],
  properties: { conversation_id: { type: 'string', format: 'uuid' }, message: chatMessage, reply: chatMessage, meta },
} as const;

const historyPage = {
  type: 'object',
  required: ['messages', 'next_cursor'],
  properties: {
    messages: { type: 'array', items: chatMessage, description: 'Newest first.' },
    next_cursor: { type: ['string', 'null'], description: 'Pass it as cursor for the next page; null on the last page.' },
  },
} as const;

const conversations = {
  type: 'object',
  required: ['conversations', 'meta'],
  properties: {
    conversations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'title', 'created_at', 'updated_at'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          title: { type: 'string' },
          created_at: { type: 'string', format: 'date-time' },
          updated_at: { type: 'string', format: 'date-time' },
        },
      },
    },
    meta,
  },
} as const;

const dashboard = {
  type: 'object',
  required: ['profile', 'chat_history', 'avatar', 'meta'],
  properties: {
    profile: { oneOf: [userObject, { type: 'null' }] },
    chat_history: { oneOf: [historyPage, { type: 'null' }] },
    avatar: { oneOf: [avatar, { type: 'null' }] },
    meta: {
      type: 'object',
      required: ['request_id', 'profile_available', 'history_available', 'avatar_available'],
      properties: {
        request_id: { type: 'string' },
        profile_available: { type: 'boolean' },
        history_available: { type: 'boolean' },
        avatar_available: { type: 'boolean' },
      },
    },
  },
} as const;

const circuit = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['closed', 'open', 'half-open'] },
    failures: { type: 'integer' },
    failure_threshold: { type: 'integer' },
    total_failures: { type: 'integer' },
    total_rejected: { type: 'integer' },
    open_until: { type: ['string', 'null'] },
    last_transition: { type: ['object', 'null'] },
  },
} as const;

const serviceHealth = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['healthy', 'degraded', 'unhealthy'] },
    response_time_ms: { type: ['number', 'null'] },
    checked_at: { type: ['string', 'null'] },
    error: { type: ['string', 'null'] },
    circuit,
  },
} as const;

const health = {
  type: 'object',
  required: ['status', 'gateway', 'services', 'meta'],
  properties: {
    status: { type: 'string', enum: ['healthy', 'degraded', 'unhealthy'] },
    gateway: { type: 'object', properties: { status: { type: 'string' }, uptime_seconds: { type: 'number' } } },
    services: { type: 'object', properties: { auth: serviceHealth, chat: serviceHealth } },
    system: { type: 'object' },
    meta,
  },
} as const;

/** A success response of one route: its status, and its JSON schema or another media type. */
export interface SuccessResponse {
  status: number;
  description: string;
  schema?: JsonSchema;
  /** Media types other than JSON, such as the avatar image or the event stream. */
  otherContent?: Record<string, JsonSchema>;
}

const eventStream = {
  type: 'string',
  description:
    'With Accept: text/event-stream: `event: delta` with `data: {"text": "..."}` per chunk of the reply, then `event: done` with the same fields as the JSON reply, or `event: error` with `data: {"error": {code, message}}`.',
} as const;

/** The success response of each public route, keyed like REQUEST_SCHEMAS. */
export const SUCCESS_RESPONSES: Readonly<Record<string, SuccessResponse>> = {
  'POST /api/auth/register': { status: 201, description: 'The account was created; the pair of tokens signs it in.', schema: tokenPairResponse },
  'POST /api/auth/login': { status: 200, description: 'A new pair of tokens.', schema: tokenPairResponse },
  'POST /api/auth/refresh': { status: 200, description: 'A new pair of tokens; the refresh token sent is used up.', schema: tokenPairResponse },
  'GET /api/auth/profile': { status: 200, description: 'The signed-in user.', schema: profileResponse },
  'POST /api/auth/logout': { status: 200, description: 'The session is ended and the access token revoked.', schema: logoutResponse },
  'POST /api/auth/password': {
    status: 200,
    description: 'The password is changed, every earlier session of the user is revoked, and the pair of tokens starts a new one.',
    schema: tokenPairResponse,
  },
  'POST /api/chat/message': {
    status: 201,
    description: 'The stored message and the reply.',
    schema: messageReply,
    otherContent: { 'text/event-stream': eventStream },
  },
  'GET /api/chat/history': {
    status: 200,
    description: 'One page of messages, newest first.',
    schema: { ...historyPage, required: [...historyPage.required, 'meta'], properties: { ...historyPage.properties, meta } },
  },
  'GET /api/chat/conversations': { status: 200, description: 'The conversations, latest activity first.', schema: conversations },
  'GET /api/chat/avatar': { status: 200, description: 'The current avatar; a default one is made on the first call.', schema: { type: 'object', required: ['avatar', 'meta'], properties: { avatar, meta } } },
  'POST /api/chat/avatar': { status: 201, description: 'The new current avatar.', schema: { type: 'object', required: ['avatar', 'meta'], properties: { avatar, meta } } },
  'GET /api/chat/avatars/:file': { status: 200, description: 'The avatar image.', otherContent: { 'image/svg+xml': { type: 'string' } } },
  'GET /api/dashboard': { status: 200, description: 'Profile, recent history and avatar; a part that failed is null with its flag false.', schema: dashboard },
  'GET /health': { status: 200, description: 'Healthy or degraded; 503 with the same body when unhealthy.', schema: health },
};
