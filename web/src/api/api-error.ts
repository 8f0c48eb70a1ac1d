import type { ErrorDetail, ErrorPayload } from './types.ts';

/** Codes the client gives to failures that never reached the API's error format. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'BAD_RESPONSE' | 'STREAM_INTERRUPTED';

/**
 * A failed API call: the code from the API's error registry (or a client code),
 * the API's message, field details and the request id that the logs carry.
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: ErrorDetail[];
  readonly requestId: string | null;

  constructor(code: string, message: string, options: { status?: number; details?: ErrorDetail[]; requestId?: string | null; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = options.status ?? 0;
    this.details = options.details ?? [];
    this.requestId = options.requestId ?? null;
  }

  /** Builds an ApiError from a parsed `{error, meta}` body, or from whatever else came back. */
  static fromBody(body: unknown, status: number, headerRequestId: string | null): ApiError {
    const requestId = requestIdOf(body) ?? headerRequestId;
    const payload = isRecord(body) && isRecord(body.error) ? (body.error as Partial<ErrorPayload>) : null;
    if (payload && typeof payload.code === 'string') {
      const details = Array.isArray(payload.details) ? payload.details.filter(isDetail) : [];
      return new ApiError(payload.code, typeof payload.message === 'string' ? payload.message : '', { status, details, requestId });
    }
    return new ApiError('BAD_RESPONSE', `The server returned an unexpected response (HTTP ${status}).`, { status, requestId });
  }

  /** Returns the details that name a field, keyed by field name; the first message per field wins. */
  fieldErrors(): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const detail of this.details) {
      if (detail.field && !(detail.field in fields)) fields[detail.field] = detail.message;
    }
    return fields;
  }
}

/** Plain sentences for codes whose API message is terse or technical; others show the API's own message. */
const PLAIN_MESSAGES: Record<string, string> = {
  NETWORK_ERROR: 'The lab could not be reached. Check your connection and try again.',
  BAD_RESPONSE: 'The server sent a response the app could not read. Try again in a moment.',
  STREAM_INTERRUPTED: 'The reply was cut off before it finished. Send the message again to get a full reply.',
  UNAUTHORIZED: 'Your session has ended. Log in again to continue.',
  TOKEN_EXPIRED: 'Your session has ended. Log in again to continue.',
  TOKEN_REVOKED: 'Your session has ended. Log in again to continue.',
  INVALID_REFRESH_TOKEN: 'Your session has ended. Log in again to continue.',
  RATE_LIMITED: 'Too many requests in a short time. Wait a few seconds and try again.',
  INTERNAL_ERROR: 'Something went wrong in the lab. Try again in a moment.',
  UPSTREAM_ERROR: 'A part of the lab answered with something unexpected. Try again in a moment.',
  UPSTREAM_UNAVAILABLE: 'A part of the lab is offline right now. Try again in a moment.',
  SERVICE_UNAVAILABLE: 'The lab is offline right now. Try again in a moment.',
  UPSTREAM_TIMEOUT: 'The lab took too long to answer. Try again in a moment.',
};

export interface PlainError {
  message: string;
  requestId: string | null;
}

/** Turns any thrown value into a sentence for people, plus the request id when there is one. */
export function describeError(error: unknown): PlainError {
  if (error instanceof ApiError) {
    const hasFieldDetails = error.details.some((detail) => detail.field);
    if (hasFieldDetails) return { message: 'Some fields need a fix: see the notes next to them.', requestId: error.requestId };
    // Without field details the API's own message is more specific than a generic one.
    if (error.code === 'VALIDATION_FAILED') return { message: error.message || 'The request is invalid.', requestId: error.requestId };
    const plain = PLAIN_MESSAGES[error.code];
    return { message: plain ?? (error.message || 'The request failed.'), requestId: error.requestId };
  }
  return { message: 'Something went wrong in the app. Reload the page and try again.', requestId: null };
}

export function requestIdOf(body: unknown): string | null {
  if (isRecord(body) && isRecord(body.meta) && typeof body.meta.request_id === 'string') return body.meta.request_id;
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDetail(value: unknown): value is ErrorDetail {
  return isRecord(value) && typeof value.message === 'string' && (value.field === undefined || typeof value.field === 'string');
}
