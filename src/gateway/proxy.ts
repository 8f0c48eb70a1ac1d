import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../common/errors.ts';
import { sendError } from '../common/http.ts';
import { clientResponseHeaders, upstreamRequestHeaders, type ForwardingContext } from './headers.ts';
import type { UpstreamHandler } from './pipeline.ts';
import type { RevocationList } from './revocation-list.ts';
import { traceOf } from './tracing.ts';
import { UpstreamCall, type ResponseSink } from './upstream-call.ts';
import { UpstreamFailure, toAppError } from './upstream-errors.ts';
import type { Upstream } from './upstream.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The upstream calls made for this request, for the access-log line. */
    upstreamCalls: UpstreamCall[] | null;
  }
}

/** A prefix swap from client path to upstream path; the rest of the path and the query stay byte for byte. */
export interface PathMapping {
  from: string;
  to: string;
}

export interface ProxyOptions {
  upstream: Upstream;
  pipeline: UpstreamHandler;
  /** null passes the path unchanged. */
  mapping: PathMapping | null;
  /** Deadline to the response headers, retries included. */
  timeoutMs: number;
  /** Time to one attempt's response headers; the upstream's UPSTREAM_HEADERS_TIMEOUT_MS when left out. */
  attemptTimeoutMs?: number;
  /** Whether the circuit breaker may count slow replies of this route; false where replies are slow by design. */
  slowCallCheck?: boolean;
  bodyLimitBytes: number;
  trustForwarded: boolean;
  /** Set on the logout route: a 2xx reply revokes the access token the request carried. */
  revokeOnSuccess?: RevocationList;
}

/** Collects the request facts that the gateway adds to upstream headers. */
export function forwardingContext(request: FastifyRequest, trustForwarded: boolean): ForwardingContext {
  const socket = request.raw.socket;
  const trace = traceOf(request);
  return {
    requestId: request.id,
    remoteAddress: socket.remoteAddress,
    protocol: (socket as TLSSocket).encrypted ? 'https' : 'http',
    user: request.user,
    trustForwarded,
    client: request.client ?? undefined,
    traceparent: trace?.traceparent,
    tracestate: trace?.tracestate,
  };
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return request.headers['transfer-encoding'] !== undefined;
}

/**
 * Builds the handler of one proxied route: it sends the request through the
 * upstream pipeline with the body streamed as it arrives, then streams the
 * response back without buffering, so server-sent events reach the client
 * one by one.
 */
export function createProxyHandler(options: ProxyOptions) {
  const { upstream, pipeline, mapping, timeoutMs, attemptTimeoutMs, slowCallCheck, bodyLimitBytes, trustForwarded, revokeOnSuccess } = options;

  return async function proxy(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const length = request.headers['content-length'];
    if (length !== undefined && Number(length) > bodyLimitBytes) throw new AppError('PAYLOAD_TOO_LARGE');
    // NOTE: a chunked body has no Content-Length to check here; the upstream's own body limit applies to it.

    const call = new UpstreamCall({
      upstream,
      method: request.method,
      path: mapping === null ? request.url : mapping.to + request.url.slice(mapping.from.length),
      headers: upstreamRequestHeaders(request.headers, forwardingContext(request, trustForwarded)),
      // A body the gateway read to validate is sent as read; any other streams from the client.
      body: request.bufferedBody ? Readable.from([request.bufferedBody]) : hasBody(request) ? request.raw : null,
      requestId: request.id,
      log: request.log,
      timeoutMs,
      attemptTimeoutMs,
      slowCallCheck,
      clientSocket: request.raw.socket,
    });
    request.upstreamCalls = [call];
    const response = new ProxyResponse(call, request, reply);

    try {
      await pipeline(call);
    } catch (error) {
      if (!(error instanceof UpstreamFailure)) throw error;
      return response.failBeforeHeaders(error);
    }

    if (revokeOnSuccess && request.user && call.statusCode >= 200 && call.statusCode < 300) {
      try {
        await revokeOnSuccess.revoke(request.user.jti, request.user.exp);
      } catch (error) {
        // The held response would otherwise keep its connection and bulkhead slot until the upstream gave up.
        call.abort(new UpstreamFailure('client-closed', 'the response was dropped after an error in the gateway'));
        throw error;
      }
      request.log.info({ userId: request.user.sub }, 'access token revoked after logout');
    }
    response.start();
    return undefined;
  };
}

const kProxyResponse = Symbol('proxyResponse');
type TrackedResponse = ServerResponse & { [kProxyResponse]?: ProxyResponse };

// Listeners shared by every response, so a request creates no closures for them: `this` is the ServerResponse.
function onClientDrain(this: TrackedResponse): void {
  this[kProxyResponse]?.resumeUpstream();
}

function onClientClose(this: TrackedResponse): void {
  if (!this.writableFinished) this[kProxyResponse]?.clientClosed();
}

/** Streams one upstream response to the client, and cancels the upstream call when the client goes away. */
class ProxyResponse implements ResponseSink {
  readonly #call: UpstreamCall;
  readonly #request: FastifyRequest;
  readonly #reply: FastifyReply;
  readonly #res: ServerResponse;
  #bodyStarted = false;

  constructor(call: UpstreamCall, request: FastifyRequest, reply: FastifyReply) {
    this.#call = call;
    this.#request = request;
    this.#reply = reply;
    this.#res = reply.raw;
    (this.#res as TrackedResponse)[kProxyResponse] = this;
    this.#res.on('close', onClientClose);
  }

  /** Sends the upstream's status and headers, then lets the body flow. */
  start(): void {
    this.#reply.hijack();
    try {
      this.#res.writeHead(this.#call.statusCode, clientResponseHeaders(this.#call.responseHeaders!, this.#request.id, this.#request.edgeHeaders ?? undefined));
    } catch (error) {
      // Node refuses some header combinations that llhttp accepted; the client gets a cut connection, not a wrong response.
      this.#call.abort(new UpstreamFailure('bad-response', 'the upstream response headers cannot be sent on', { cause: error }));
      this.#request.log.error({ upstream: this.#call.upstream.name, err: error }, 'upstream response headers rejected');
      this.#res.destroy();
      return;
    }
    this.#call.pipe(this);
    // Node buffers written headers until the first body byte. When none has arrived, they are sent now,
    // so the client sees a stream start, or a body stall, as it happens.
    if (!this.#bodyStarted && !this.#res.writableEnded && !this.#res.destroyed) this.#res.flushHeaders();
  }

  write(chunk: Buffer): boolean {
    this.#bodyStarted = true;
    if (this.#res.write(chunk)) return true;
    this.#res.once('drain', onClientDrain);
    return false;
  }

  end(): void {
    this.#res.end();
  }

  /** Closes the client connection, the only signal of a failure left once the response has started. */
  fail(failure: UpstreamFailure): void {
    if (failure.kind !== 'client-closed') {
      this.#request.log.warn(
        { upstream: this.#call.upstream.name, kind: failure.kind, err: failure.cause ?? failure },
        'upstream response failed after its headers were sent',
      );
    }
    this.#res.destroy();
  }

  /** Sends the error response for a call that failed before any response headers, in the common error format. */
  failBeforeHeaders(failure: UpstreamFailure): FastifyReply | undefined {
    if (failure.kind === 'client-closed') {
      this.#request.log.info({ upstream: this.#call.upstream.name }, 'client closed the connection before the upstream answered');
      this.#reply.hijack();
      this.#res.destroy();
      return undefined;
    }
    // A fail-fast rejection is logged once, by the breaker transition, and on the access-log line.
    if (failure.kind !== 'circuit-open') {
      this.#request.log.warn({ upstream: this.#call.upstream.name, kind: failure.kind, err: failure.cause ?? failure }, 'upstream request failed');
    }
    return sendError(toAppError(failure), this.#request, this.#reply);
  }

  resumeUpstream(): void {
    this.#call.resume();
  }

  /**
   * Cancels the upstream call of a client that left before its response
   * ended, and writes the request's access-log line, because Fastify runs no
   * onResponse hook for a response it handed over. Before any response, the
   * status is nginx's 499, "client closed request".
   */
  clientClosed(): void {
    this.#call.abort(new UpstreamFailure('client-closed', 'the client closed the connection'));
    const extra = this.#res.headersSent ? { clientClosed: true } : { statusCode: 499, clientClosed: true };
    this.#request.server.writeAccessLog(this.#request, this.#reply, extra);
  }
}
