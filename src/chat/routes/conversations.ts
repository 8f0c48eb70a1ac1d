import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { withMeta } from '../../common/http.ts';
import type { ChatStore } from '../store.ts';

const querySchema = {
  type: 'object',
  properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 } },
} as const;

export function registerConversationsRoute(
  app: FastifyInstance,
  deps: { store: ChatStore; authenticate: preHandlerAsyncHookHandler },
): void {
  app.get<{ Querystring: { limit: number } }>(
    '/mad-scientist/conversations',
    { preHandler: deps.authenticate, schema: { querystring: querySchema } },
    async function listConversations(request) {
      const conversations = await deps.store.conversations(request.user!.sub, request.query.limit);
      return withMeta(request, { conversations });
    },
  );
}
