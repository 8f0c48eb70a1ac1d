/**
 * Request schemas of the public API, as JSON Schema objects keyed by
 * `METHOD path` exactly as the route is registered in routes.ts. The auth
 * bodies are the auth service's own schemas; the chat ones repeat the chat
 * service's, and a test keeps their limits in step. The OpenAPI document
 * (openapi.ts) is generated from these, so the document and the checks
 * cannot drift apart.
 */
import { loginBody, logoutBody, passwordBody, refreshBody, registerBody } from '../auth/schemas.ts';

/** A JSON Schema object (draft 2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface RequestSchemas {
  body?: JsonSchema;
  querystring?: JsonSchema;
  params?: JsonSchema;
}

/** Maximum length of a chat message in characters, as the chat service accepts it. */
export const MAX_MESSAGE_LENGTH = 4000;
export const MAX_HISTORY_LIMIT = 100;
export const DEFAULT_HISTORY_LIMIT = 20;
export const MAX_CONVERSATIONS_LIMIT = 100;
export const DEFAULT_CONVERSATIONS_LIMIT = 50;
export const AVATAR_STYLES = ['scientist', 'robot', 'pixel', 'potion'] as const;
export const MAX_AVATAR_SEED_LENGTH = 64;

const uuid = { type: 'string', format: 'uuid' } as const;

const messageBody = {
  type: 'object',
  required: ['message'],
  properties: {
    message: { type: 'string', minLength: 1, maxLength: MAX_MESSAGE_LENGTH, description: 'The text; it must contain a character other than a space.' },
    conversation_id: { type: ['string', 'null'], format: 'uuid', description: 'Continues this conversation; omit it to start a new one.' },
    context: {
      type: 'object',
      properties: { conversation_id: { type: ['string', 'null'], format: 'uuid', description: 'The same as the top-level conversation_id.' } },
    },
  },
} as const;

const historyQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: MAX_HISTORY_LIMIT, default: DEFAULT_HISTORY_LIMIT },
    cursor: { type: 'string', maxLength: 200, description: 'The next_cursor of the previous page.' },
    conversation_id: { ...uuid, description: 'Only the messages of this conversation.' },
  },
} as const;

const conversationsQuery = {
  type: 'object',
  properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_CONVERSATIONS_LIMIT, default: DEFAULT_CONVERSATIONS_LIMIT } },
} as const;

const avatarBody = {
  type: ['object', 'null'],
  properties: {
    style: { type: 'string', enum: AVATAR_STYLES },
    seed: { type: 'string', minLength: 1, maxLength: MAX_AVATAR_SEED_LENGTH, description: 'Picks the variant; a random one when omitted.' },
  },
} as const;

const avatarFileParams = {
  type: 'object',
  required: ['file'],
  properties: { file: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}\\.svg$', description: 'The `<id>.svg` name from an avatar url.' } },
} as const;

/** Request schemas of every public route; a route without an entry takes no body, query or parameters. */
export const REQUEST_SCHEMAS: Readonly<Record<string, RequestSchemas>> = {
  'POST /api/auth/register': { body: registerBody },
  'POST /api/auth/login': { body: loginBody },
  'POST /api/auth/refresh': { body: refreshBody },
  'GET /api/auth/profile': {},
  'POST /api/auth/logout': { body: logoutBody },
  'POST /api/auth/password': { body: passwordBody },
  'POST /api/chat/message': { body: messageBody },
  'GET /api/chat/history': { querystring: historyQuery },
  'GET /api/chat/conversations': { querystring: conversationsQuery },
  'GET /api/chat/avatar': {},
  'POST /api/chat/avatar': { body: avatarBody },
  'GET /api/chat/avatars/:file': { params: avatarFileParams },
  'GET /api/dashboard': {},
  'GET /health': {},
};
