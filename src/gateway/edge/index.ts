import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERROR_CODES, errorJson, type ErrorCode } from '../../common/errors.ts';
import { requestIdFrom } from '../../common/http.ts';
import type { Logger } from '../../common/logger.ts';
import type { SecuritySettings } from '../security-config.ts';
import { resolveClient, type ClientInfo } from './client-address.ts';
import { CorsPolicy } from './cors.ts';
import { checkFraming, SmuggledRequestError } from './framing.ts';
import { checkPath } from './path.ts';
import { createSecurityHeaders } from './security-headers.ts';
import { guardBodyIdle, httpServerOptions } from './slow-clients.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The client's address, scheme and host, with X-Forwarded-* believed only from trusted proxies. */
    client: ClientInfo;
    /** Security and CORS headers for the response, `[name, value, ...]`; a header the response already has wins. */
    edgeHeaders: readonly string[];
  }
}

export interface EdgeOptions {
  /** Tells whether the gateway reads this request's body itself, with its own idle timer. */
  readsBody(request: FastifyRequest): boolean;
}

/**
 * Registers the first stage every request passes, as one Fastify onRequest
 * hook: it works out the client address, picks the security and CORS
 * headers, rejects faulty framing and paths that could escape a route
 * prefix, answers CORS preflights, and arms the body idle timeout. An onSend
 * hook adds the headers to every response Fastify sends, errors included;
 * the proxy adds them to the responses it streams (clientResponseHeaders).
 */
export function registerEdge(app: FastifyInstance, settings: SecuritySettings, options: EdgeOptions): void {
  const securityHeaders = createSecurityHeaders(settings);
  const cors = new CorsPolicy(settings.corsOrigins, settings.corsMaxAgeSeconds);
  const proxies = settings.trustedProxies;
  const bodyIdleTimeoutMs = settings.clientLimits.bodyIdleTimeoutMs;

  app.decorateRequest('client', null as unknown as ClientInfo);
  app.decorateRequest('edgeHeaders', null as unknown as readonly string[]);
  app.addHook('onRequest', function edge(request, reply, done) {
    const raw = request.raw;
    request.client = resolveClient(raw.socket.remoteAddress, Boolean((raw.socket as TLSSocket).encrypted), request.headers, proxies);
    request.edgeHeaders = cors.headersFor(request, securityHeaders(request.client.proto === 'https'));
    try {
      checkFraming(raw);
    } catch (error) {
      if (!(error instanceof SmuggledRequestError)) {
        done(error as Error);
        return;
      }
      // No response: the one for the faulty request closes the connection, and this request dies with it.
      request.log.warn({ method: request.method, url: request.url }, 'dropped a request pipelined after faulty framing');
      reply.hijack();
      return;
    }
    try {
      checkPath(request.url);
    } catch (error) {
      done(error as Error);
      return;
    }
    // A callback hook that has sent a reply ends the request without calling done.
    if (cors.answerPreflight(request, reply)) return;
    if (!options.readsBody(request)) guardBodyIdle(raw, bodyIdleTimeoutMs, request.log);
    done();
  });

  app.addHook('onSend', async function addEdgeHeaders(request, reply, payload) {
    const headers = request.edgeHeaders;
    // Null when a framework error (such as an invalid URL) was sent before the onRequest hook ran.
    const list = headers ?? securityHeaders(false);
    for (let index = 0; index < list.length; index += 2) {
      if (!reply.hasHeader(list[index])) reply.header(list[index], list[index + 1]);
    }
    return payload;
  });
}

/** Maps the errors of Node's HTTP parser to a status and registry code. */
function clientErrorCode(code: string | undefined): ErrorCode {
  if (code === 'HPE_HEADER_OVERFLOW') return 'HEADERS_TOO_LARGE';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'REQUEST_TIMEOUT';
  return 'BAD_REQUEST';
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * Builds the Node server options (header size and timeouts) and the handler
 * for requests Node's parser rejects before Fastify sees them. Those get the
 * common error format with a fresh request id, the basic security headers,
 * and a closed connection; the log line names the parser's error code.
 */
export function edgeServerOptions(settings: SecuritySettings, logger: Logger) {
  const { http, requestTimeout } = httpServerOptions(settings.clientLimits);
  const clientErrorHandler = (error: Error & { code?: string }, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const code = clientErrorCode(error.code);
    const requestId = requestIdFrom(undefined);
    logger.info({ reqId: requestId, parserError: error.code, code }, 'request rejected by the HTTP parser');
    // A timeout can strike while a response is being written; a second status line would corrupt it.
    const response = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (!socket.writable || response?.headersSent) {
      socket.destroy();
      return;
    }
    const body = errorJson(code, requestId);
    const status = ERROR_CODES[code].status;
    // Written, then destroyed as Node's own handler does: a half-closed socket would keep a closing server waiting.
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'X-Content-Type-Options: nosniff\r\n' +
        'Connection: close\r\n\r\n' +
        body,
    );
    socket.destroy();
  };
  return { http, requestTimeout, clientErrorHandler };
}
