/**
 * The one registry of error codes that the gateway and the services return.
 * Codes are stable: a retired code is never reused for another meaning.
 * docs/errors.md lists the same table, and a test keeps the two in step.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, message: 'The request is invalid.' },
  BAD_REQUEST: { status: 400, message: 'The request could not be read.' },
  UNAUTHORIZED: { status: 401, message: 'A valid access token is required.' },
  TOKEN_EXPIRED: { status: 401, message: 'The access token has expired.' },
  TOKEN_REVOKED: { status: 401, message: 'The access token has been revoked.' },
  INVALID_CREDENTIALS: { status: 401, message: 'The username or password is incorrect.' },
  INVALID_REFRESH_TOKEN: { status: 401, message: 'The refresh token is invalid, expired or already used.' },
  FORBIDDEN: { status: 403, message: 'The request is not allowed.' },
  NOT_FOUND: { status: 404, message: 'The resource was not found.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'The method is not allowed on this resource.' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time.' },
  CONFLICT: { status: 409, message: 'The resource already exists.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request body must be JSON.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; retry later.' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are too large.' },
  INTERNAL_ERROR: { status: 500, message: 'An internal error occurred.' },
  UPSTREAM_ERROR: { status: 502, message: 'A backend service returned an invalid response.' },
  UPSTREAM_UNAVAILABLE: { status: 503, message: 'A backend service is unavailable.' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is unavailable.' },
  UPSTREAM_TIMEOUT: { status: 504, message: 'A backend service did not respond in time.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  field?: string;
  message: string;
  [key: string]: unknown;
}

/** An error that is meant for the client: its code, message and details are safe to show. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details?: ErrorDetail[];
  /** Response headers that go with the error, such as Retry-After. */
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { details?: ErrorDetail[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message ?? ERROR_CODES[code].message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.statusCode = ERROR_CODES[code].status;
    this.details = options.details;
    this.headers = options.headers;
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: ErrorDetail[] };
  meta: { request_id: string };
}

export function errorBody(code: ErrorCode, message: string, requestId: string, details?: ErrorDetail[]): ErrorBody {
  const error: ErrorBody['error'] = { code, message };
  if (details && details.length > 0) error.details = details;
  return { error, meta: { request_id: requestId } };
}

/** Serialises an error body by hand; the gateway uses it on hot paths such as fail-fast 503s. */
export function errorJson(code: ErrorCode, requestId: string, message: string = ERROR_CODES[code].message): string {
  return JSON.stringify(errorBody(code, message, requestId));
}
