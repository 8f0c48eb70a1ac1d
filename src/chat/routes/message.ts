import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError, ERROR_CODES } from '../../common/errors.ts';
import { withMeta } from '../../common/http.ts';
import type { ExchangeService, PendingExchange } from '../exchange.ts';
import { EventStream } from '../sse.ts';
import { readOptionalUuid, validationError } from './validation.ts';

export const MAX_MESSAGE_LENGTH = 4000;

interface MessageBody {
  message: string;
  conversation_id?: string | null;
  context?: { conversation_id?: string | null };
}

const bodySchema = {
  type: 'object',
  required: ['message'],
  properties: {
    message: { type: 'string', minLength: 1, maxLength: MAX_MESSAGE_LENGTH },
    conversation_id: { type: ['string', 'null'] },
    context: {
      type: 'object',
      properties: { conversation_id: { type: ['string', 'null'] } },
    },
  },
} as const;

/** Reads the message text and the conversation id, which may sit at the top level or in `context`. */
function readMessageInput(body: MessageBody): { content: string; conversationId?: string } {
  if (body.message.trim() === '') throw validationError('message', 'must contain at least one non-space character');
  const topLevel = readOptionalUuid(body.conversation_id, 'conversation_id');
  const inContext = readOptionalUuid(body.context?.conversation_id, 'context.conversation_id');
  if (topLevel && inContext && topLevel !== inContext) {
    throw validationError('conversation_id', 'differs from context.conversation_id; send one of them');
  }
  return { content: body.message.trim(), conversationId: topLevel ?? inContext };
}

/** True when the client lists text/event-stream in Accept. */
export function acceptsEventStream(accept: string | undefined): boolean {
  return accept !== undefined && /(?:^|,)\s*text\/event-stream\s*(?:;|,|$)/i.test(accept);
}

/** Returns a signal that aborts when the client disconnects before the response is complete. */
function disconnectSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'));
  });
  return controller.signal;
}

export function registerMessageRoute(
  app: FastifyInstance,
  deps: { exchanges: ExchangeService; authenticate: preHandlerAsyncHookHandler },
): void {
  app.post<{ Body: MessageBody }>(
    '/mad-scientist/message',
    { preHandler: deps.authenticate, schema: { body: bodySchema } },
    async function postMessage(request, reply) {
      const { content, conversationId } = readMessageInput(request.body);
      const pending = await deps.exchanges.begin(request.user!.sub, content, conversationId);

      if (acceptsEventStream(request.headers.accept)) {
        await streamReply(request, reply, deps.exchanges, pending);
        return reply;
      }
      const signal = disconnectSignal(reply);
      try {
        const exchange = await deps.exchanges.complete(pending, { signal });
        return reply.code(201).send(withMeta(request, exchange));
      } catch (error) {
        if (!signal.aborted) throw error;
        // The client has gone, so there is no response to send and nothing in the service failed.
        request.log.info({ conversationId: pending.conversationId }, 'client disconnected; reply generation stopped');
        reply.hijack();
        return reply;
      }
    },
  );
}

/**
 * Sends the reply as server-sent events: `delta` per chunk, then `done` once
 * the reply is stored, or `error` when generation fails after the stream has
 * started. A client that disconnects stops the generation.
 */
async function streamReply(
  request: FastifyRequest,
  reply: FastifyReply,
  exchanges: ExchangeService,
  pending: PendingExchange,
): Promise<void> {
  const stream = new EventStream(reply);
  const controller = new AbortController();
  stream.onDisconnect(() => controller.abort(new Error('client disconnected')));

  try {
    const exchange = await exchanges.complete(pending, {
      signal: controller.signal,
      onDelta: (text) => stream.send('delta', { text }),
    });
    stream.send('done', exchange);
  } catch (error) {
    if (controller.signal.aborted) {
      request.log.info({ conversationId: pending.conversationId }, 'client disconnected; reply generation stopped');
      return;
    }
    const failure = error instanceof AppError ? error : new AppError('INTERNAL_ERROR', undefined, { cause: error });
    if (failure.statusCode >= 500) request.log.error({ err: error, code: failure.code }, 'streamed reply failed');
    stream.send('error', { error: { code: failure.code, message: failure.message || ERROR_CODES[failure.code].message } });
  } finally {
    stream.end();
  }
}
