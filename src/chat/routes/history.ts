import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../../common/errors.ts';
import { withMeta } from '../../common/http.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import type { ChatStore } from '../store.ts';
import { readOptionalUuid } from './validation.ts';

export const DEFAULT_HISTORY_LIMIT = 20;
export const MAX_HISTORY_LIMIT = 100;

interface HistoryQuerystring {
  limit: number;
  cursor?: string;
  conversation_id?: string;
}

const querySchema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: MAX_HISTORY_LIMIT, default: DEFAULT_HISTORY_LIMIT },
    cursor: { type: 'string', maxLength: 200 },
    conversation_id: { type: 'string' },
  },
} as const;

export function registerHistoryRoute(app: FastifyInstance, deps: { store: ChatStore; authenticate: preHandlerAsyncHookHandler }): void {
  app.get<{ Querystring: HistoryQuerystring }>(
    '/mad-scientist/history',
    { preHandler: deps.authenticate, schema: { querystring: querySchema } },
    async function getHistory(request) {
      const userId = request.user!.sub;
      const { limit, cursor } = request.query;
      const beforeId = cursor ? decodeCursor(cursor) : undefined;
      const conversationId = readOptionalUuid(request.query.conversation_id, 'conversation_id');
      if (conversationId && !(await deps.store.ownsConversation(userId, conversationId))) {
        throw new AppError('NOT_FOUND', 'The conversation was not found.');
      }

      const page = await deps.store.history(userId, { limit, beforeId, conversationId });
      const last = page.messages[page.messages.length - 1];
      const nextCursor = page.hasMore && last ? encodeCursor(last.id) : null;
      return withMeta(request, { messages: page.messages, next_cursor: nextCursor });
    },
  );
}
