import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type HTTPMethods,
} from 'fastify';
import { AppError, errorBody, type ErrorDetail } from './errors.ts';
import { bearerToken, type AccessTokenClaims, type AccessTokenVerifier } from './jwt.ts';
import { LazyChildLogger, unredactedChild, type Logger } from './logger.ts';
import { traceIdFromHeader } from './trace-context.ts';

/** An inbound X-Request-Id is reused only when it looks like an id, so logs cannot be polluted through it. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  if (typeof header === 'string' && REQUEST_ID_PATTERN.test(header)) return header;
  return randomUUID();
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: AccessTokenClaims;
    /** Whether the request's access-log line was written. */
    accessLogged: boolean;
    /**
     * The matched route's path pattern, such as `/api/chat/history`, or
     * undefined when no route matched. Read once per request, because
     * Fastify builds a new `routeOptions` object on every read.
     */
    routeUrl: string | undefined;
  }
  interface FastifyInstance {
    /**
     * Writes a request's access-log line, once. Fastify's onResponse hook
     * writes it for every response that finishes. No hook runs when the
     * client leaves a response that a handler took over, so that handler
     * calls this itself, with `clientClosed: true` in `extra`.
     */
    writeAccessLog(request: FastifyRequest, reply: FastifyReply, extra?: Record<string, unknown>): void;
  }
}

export interface ServiceOptions {
  logger: Logger;
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
  /** Extra fields for the access-log line, such as the gateway's upstream name and timing. */
  accessLogFields?: (request: FastifyRequest) => Record<string, unknown> | undefined;
  /**
   * Returns the trace id written on every log line of a request as `trace_id`.
   * By default it is read from a valid `traceparent` header; the gateway
   * passes a function that also starts a trace when there is none.
   */
  traceIdOf?: (raw: IncomingMessage) => string | undefined;
  /** Node HTTP server limits and the handler of requests Node cannot parse, for a service that faces clients. */
  serverOptions?: { http?: ServerOptions; requestTimeout?: number; clientErrorHandler?: (error: Error, socket: Duplex) => void };
}

/** Query parameters whose values are secrets, replaced in the access-log URL. */
const SECRET_QUERY_PARAMETER = /([?&](?:access_token|refresh_token|token|password|code|csrf_token)=)[^&#]*/gi;

/** Returns `url` with the values of secret-bearing query parameters replaced, for log lines. */
export function redactUrl(url: string): string {
  return url.includes('?') ? url.replace(SECRET_QUERY_PARAMETER, '$1[redacted]') : url;
}

function traceIdOfHeader(raw: IncomingMessage): string | undefined {
  return traceIdFromHeader(raw.headers.traceparent);
}

/** The request's trace id, kept on the raw request for the access-log line. */
const kTraceId = Symbol('traceId');
type TracedMessage = IncomingMessage & { [kTraceId]?: string };

/**
 * Creates a Fastify instance with what every service shares: request ids,
 * one access-log line per request, and errors in the common response format.
 */
export function createService({ logger, bodyLimit = 64 * 1024, accessLogFields, traceIdOf = traceIdOfHeader, serverOptions }: ServiceOptions): FastifyInstance {
  // Every field of the access-log line is built below, the URL with its secret query values replaced.
  const accessLog = unredactedChild(logger);
  const app = Fastify({
    http: serverOptions?.http,
    requestTimeout: serverOptions?.requestTimeout,
    clientErrorHandler: serverOptions?.clientErrorHandler,
    loggerInstance: logger as FastifyBaseLogger,
    // The onResponse hook below writes the single access-log line instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    childLoggerFactory(parent, bindings, options, raw) {
      const traceId = traceIdOf(raw as IncomingMessage);
      if (traceId !== undefined) {
        (bindings as Record<string, unknown>).trace_id = traceId;
        (raw as TracedMessage)[kTraceId] = traceId;
      }
      return new LazyChildLogger(parent as Logger, bindings, options) as unknown as FastifyBaseLogger;
    },
    bodyLimit,
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Errors raised before routing, such as a path with invalid percent-encoding, skip the hooks below.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      const cause = error.code === 'FST_ERR_BAD_URL' ? new AppError('BAD_REQUEST', 'The request URL is not valid.', { cause: error }) : error;
      sendError(cause, request, reply);
    },
  });

  app.decorateRequest('routeUrl', undefined);
  app.addHook('onRequest', function noteRouteAndRequestId(request, reply, done) {
    request.routeUrl = request.routeOptions.url;
    reply.header('x-request-id', request.id);
    done();
  });

  // Set once a request's access-log line is written, so a request never gets two.
  app.decorateRequest('accessLogged', false);
  const writeAccessLog = (request: FastifyRequest, reply: FastifyReply, extra?: Record<string, unknown>): void => {
    if (request.accessLogged) return;
    request.accessLogged = true;
    const line = {
      // The same fields, in the same order, as request.log would bind.
      reqId: request.id,
      trace_id: (request.raw as TracedMessage)[kTraceId],
      method: request.method,
      route: request.routeUrl ?? 'unmatched',
      url: redactUrl(request.url),
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 100) / 100,
      userId: request.user?.sub,
    };
    if (accessLogFields) Object.assign(line, accessLogFields(request));
    if (extra) Object.assign(line, extra);
    if (reply.statusCode >= 500) accessLog.error(line, 'request completed');
    // Health checks arrive every few seconds from the gateway and load balancers; a passing one is routine.
    else if (line.route === '/health' && reply.statusCode < 400) accessLog.debug(line, 'request completed');
    else accessLog.info(line, 'request completed');
  };
  app.decorate('writeAccessLog', writeAccessLog);

  app.addHook('onResponse', function logCompletedRequest(request, reply, done) {
    writeAccessLog(request, reply);
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler(sendNoRoute);
  return app;
}

/**
 * Returns the methods, sorted, of the routes that match `url`'s path. A
 * catch-all route such as the web client's `/*` matches every path, so its
 * match is left out. Probing a method without routes costs one lookup.
 */
export function allowedMethods(app: FastifyInstance, url: string): string[] {
  const allowed: string[] = [];
  for (const method of app.supportedMethods) {
    const match = app.findRoute({ method: method as HTTPMethods, url });
    if (match !== null && !isCatchAll(match.params as Record<string, string | undefined>, url)) allowed.push(method);
  }
  return allowed.sort();
}

/** Tells whether a route's `*` parameter captured the whole path, which only a `/*` route does. */
function isCatchAll(params: Record<string, string | undefined>, url: string): boolean {
  const rest = params['*'];
  if (rest === undefined) return false;
  const path = url.split('?', 1)[0];
  // The router decodes the path before capturing it.
  try {
    return `/${rest}` === decodeURIComponent(path);
  } catch {
    return `/${rest}` === path;
  }
}

/**
 * Sends the error for a request that no route handles: 405 METHOD_NOT_ALLOWED
 * with an Allow header when routes match the path under other methods
 * (RFC 9110, section 15.5.6), and 404 NOT_FOUND otherwise.
 */
export function sendNoRoute(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?', 1)[0];
  const allowed = allowedMethods(request.server, request.url);
  if (allowed.length > 0) {
    const allow = allowed.join(', ');
    const message = `The method ${request.method} is not allowed on ${path}. Allowed methods: ${allow}.`;
    return sendError(new AppError('METHOD_NOT_ALLOWED', message, { headers: { allow } }), request, reply);
  }
  return sendError(new AppError('NOT_FOUND', `No route matches ${request.method} ${path}.`), request, reply);
}

/** Adds `meta.request_id` to a success body. */
export function withMeta<T extends object>(request: FastifyRequest, body: T): T & { meta: { request_id: string } } {
  return { ...body, meta: { request_id: request.id } };
}

function validationDetails(error: FastifyError): ErrorDetail[] {
  return (error.validation ?? []).map((issue) => {
    const params = issue.params as Record<string, unknown>;
    let field = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (typeof params.missingProperty === 'string') field = field ? `${field}.${params.missingProperty}` : params.missingProperty;
    if (typeof params.additionalProperty === 'string') field = field ? `${field}.${params.additionalProperty}` : params.additionalProperty;
    const location = error.validationContext ?? 'body';
    return { field: field || location, message: issue.message ?? 'is invalid' };
  });
}

/** Maps any error to the common error format; the only place where errors become responses. */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof AppError) {
    if (error.headers) reply.headers(error.headers);
    if (error.statusCode === 401) reply.header('www-authenticate', bearerChallenge(error));
    request.log.info({ code: error.code, statusCode: error.statusCode }, error.message);
    return reply.code(error.statusCode).send(errorBody(error.code, error.message, request.id, error.details));
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const details = validationDetails(fastifyError);
    return reply
      .code(400)
      .send(errorBody('VALIDATION_FAILED', `Invalid ${details.map((d) => d.field).join(', ')}.`, request.id, details));
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply.code(413).send(errorBody('PAYLOAD_TOO_LARGE', 'The request body is too large.', request.id));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply.code(415).send(errorBody('UNSUPPORTED_MEDIA_TYPE', 'The request body must be application/json.', request.id));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return reply.code(400).send(errorBody('BAD_REQUEST', 'The request body is not valid JSON.', request.id));
  }
  if (fastifyError.statusCode === 400 && error instanceof SyntaxError) {
    return reply.code(400).send(errorBody('BAD_REQUEST', 'The request body is not valid JSON.', request.id));
  }
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send(errorBody('INTERNAL_ERROR', 'An internal error occurred.', request.id));
}

function bearerChallenge(error: AppError): string {
  if (error.code === 'TOKEN_EXPIRED') return 'Bearer error="invalid_token", error_description="The access token expired"';
  if (error.code === 'UNAUTHORIZED' || error.code === 'TOKEN_REVOKED') return 'Bearer error="invalid_token"';
  return 'Bearer';
}

/** Creates a preHandler that verifies the access token and sets `request.user`. */
export function requireUser(
  verify: AccessTokenVerifier,
  isRevoked?: (claims: AccessTokenClaims) => Promise<boolean> | boolean,
) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const token = bearerToken(request.headers.authorization);
    const claims = await verify(token);
    if (isRevoked && (await isRevoked(claims))) throw new AppError('TOKEN_REVOKED');
    request.user = claims;
  };
}
