import { AppError } from '../common/errors.ts';

/**
 * The reason an upstream call produced no usable response.
 * - `unavailable`: refused, reset or closed connection, unknown host
 * - `timeout`: no connection or no response headers before the deadline
 * - `bad-response`: a reply that is not valid HTTP or breaks its own framing
 * - `circuit-open`: the circuit breaker failed the call fast
 * - `bulkhead-full`: the upstream already has its maximum of calls in flight and queued
 * - `client-closed`: the client went away, so the call was cancelled
 * - `bad-request`: the client's request body broke its own framing
 * - `discarded`: the gateway dropped a 502, 503 or 504 reply to retry the request; never sent to a client
 */
export type UpstreamFailureKind =
  | 'unavailable'
  | 'timeout'
  | 'bad-response'
  | 'circuit-open'
  | 'bulkhead-full'
  | 'client-closed'
  | 'bad-request'
  | 'discarded';

/** A failed upstream call. The message and cause are for the log only; `toAppError` makes the client's view. */
export class UpstreamFailure extends Error {
  readonly kind: UpstreamFailureKind;
  /** Seconds for Retry-After, set when the circuit is open or the bulkhead is full. */
  readonly retryAfterSeconds?: number;
  /**
   * Whether the connection failed before any response: refused, reset or
   * closed, unknown host, or no connection within the connect timeout. Only
   * these failures are retried, and only for idempotent methods.
   */
  readonly connectionError: boolean;

  constructor(
    kind: UpstreamFailureKind,
    message: string,
    options: { cause?: unknown; retryAfterSeconds?: number; connectionError?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'UpstreamFailure';
    this.kind = kind;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.connectionError = options.connectionError ?? false;
  }

  /** Whether this failure counts against the upstream's circuit breaker. */
  get countsAsUpstreamFailure(): boolean {
    return this.kind === 'unavailable' || this.kind === 'timeout' || this.kind === 'bad-response';
  }
}

/** Error codes of Node sockets and undici that mean the upstream could not be reached or dropped the connection. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * Sorts an error from undici or the socket into a failure kind. A client that
 * went away is checked first by the caller, because its reset looks like an
 * upstream reset here.
 */
export function classifyUpstreamError(error: unknown, upstream: string): UpstreamFailure {
  if (error instanceof UpstreamFailure) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_CODES.has(code)) return new UpstreamFailure('unavailable', `${upstream} is unreachable`, { cause: error, connectionError: true });
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      return new UpstreamFailure('timeout', `${upstream} accepted no connection in time`, { cause: error, connectionError: true });
    }
    if (TIMEOUT_CODES.has(code)) return new UpstreamFailure('timeout', `${upstream} timed out`, { cause: error });
    if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
      return new UpstreamFailure('bad-request', 'the request body does not match its Content-Length', { cause: error });
    }
  }
  // HTTP parser errors (codes HPE_*), response length mismatches and anything unexpected: the reply is unusable.
  return new UpstreamFailure('bad-response', `${upstream} sent an invalid response`, { cause: error });
}

/** Converts a failure to the client's view: a registry code, a plain message, and Retry-After when known. */
export function toAppError(failure: UpstreamFailure): AppError {
  switch (failure.kind) {
    case 'circuit-open':
    case 'bulkhead-full':
      return new AppError('UPSTREAM_UNAVAILABLE', undefined, { headers: { 'retry-after': String(failure.retryAfterSeconds ?? 1) } });
    case 'unavailable':
      return new AppError('UPSTREAM_UNAVAILABLE');
    case 'timeout':
      return new AppError('UPSTREAM_TIMEOUT');
    case 'bad-request':
      return new AppError('BAD_REQUEST', 'The request body does not match its Content-Length.');
    case 'client-closed':
    case 'bad-response':
    case 'discarded':
      return new AppError('UPSTREAM_ERROR');
  }
}
