import type { IncomingMessage, ServerOptions } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';

/** Limits on how much and how slowly a client may send, applied by Node's HTTP server and by the gateway. */
export interface ClientLimits {
  /** Largest request head (request line and headers); a larger one gets 431. */
  maxHeaderSizeBytes: number;
  /** Time to receive the complete request head; Node answers 408 after it. */
  headersTimeoutMs: number;
  /** Time to receive the complete request, head and body; Node answers 408 after it. */
  requestTimeoutMs: number;
  /** Maximum pause between two pieces of a request body; the connection is closed after it. */
  bodyIdleTimeoutMs: number;
}

/**
 * Builds the Node options of the gateway's HTTP server. Node enforces both
 * timeouts from a timer that visits every connection each
 * `connectionsCheckingInterval`, 30 s by default, which would let a slow
 * client stay up to 30 s longer. The interval is therefore half the shorter
 * timeout, between 100 ms and 5 s.
 */
export function httpServerOptions(limits: ClientLimits): { http: ServerOptions; requestTimeout: number } {
  const shorter = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return {
    http: {
      maxHeaderSize: limits.maxHeaderSizeBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(5000, Math.floor(shorter / 2))),
    },
    // Fastify copies its own requestTimeout onto the server after creating it.
    requestTimeout: limits.requestTimeoutMs,
  };
}

export function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return request.headers['transfer-encoding'] !== undefined;
}

/**
 * Closes the connection when a request body stops arriving for `idleMs`. It
 * uses the socket's idle timer while the body is being received, so a body
 * streamed to a service is covered too. The timer is switched off once the
 * body has ended, and a keep-alive connection between requests is left to
 * Node's keep-alive timeout.
 */
export function guardBodyIdle(request: IncomingMessage, idleMs: number, log: FastifyBaseLogger): void {
  if (idleMs <= 0 || !hasBody(request) || request.complete) return;
  const socket = request.socket;
  socket.setTimeout(idleMs);
  // A 'timeout' listener on the request stops Node from destroying the socket itself, so this one logs first.
  request.on('timeout', () => {
    log.info({ idleTimeoutMs: idleMs }, 'request body stopped arriving; connection closed');
    socket.destroy();
  });
  request.once('end', () => socket.setTimeout(0));
}
