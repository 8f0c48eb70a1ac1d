/**
 * JSON schemas of the auth routes. Request bodies may carry unknown fields,
 * which are ignored, but every known field has its type and form checked.
 * Response schemas list each field sent, so a stored field such as the
 * password hash cannot reach a client by accident.
 */

export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 32;
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
/** Maximum email length: an SMTP path is at most 256 octets including the angle brackets (RFC 5321, section 4.5.3.1.3). */
export const EMAIL_MAX_LENGTH = 254;
/**
 * Refresh tokens issued here are 43 characters. The bound is loose on purpose:
 * a client that sends another token by mistake, such as an access token, gets
 * 401 INVALID_REFRESH_TOKEN rather than a validation error.
 */
const REFRESH_TOKEN_MAX_LENGTH = 2048;

const username = {
  type: 'string',
  minLength: USERNAME_MIN_LENGTH,
  maxLength: USERNAME_MAX_LENGTH,
  pattern: '^[A-Za-z0-9_.-]*$',
  message: 'must contain only letters, digits, "_", "." and "-"',
} as const;

const email = {
  type: 'string',
  maxLength: EMAIL_MAX_LENGTH,
  format: 'email',
  message: 'must be a valid email address',
} as const;

export const registerBody = {
  type: 'object',
  required: ['username', 'email', 'password'],
  properties: {
    username,
    email,
    password: { type: 'string', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH },
  },
} as const;

/** Either `username` (which may hold an email address) or `email` names the account. */
export const loginBody = {
  type: 'object',
  required: ['password'],
  properties: {
    username: { type: 'string', maxLength: EMAIL_MAX_LENGTH },
    email: { type: 'string', maxLength: EMAIL_MAX_LENGTH },
    password: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX_LENGTH },
  },
} as const;

/** `refresh_token` may be left out when the request carries the refresh cookie instead. */
export const refreshBody = {
  type: 'object',
  properties: {
    refresh_token: { type: 'string', minLength: 1, maxLength: REFRESH_TOKEN_MAX_LENGTH },
  },
} as const;

export const passwordBody = {
  type: 'object',
  required: ['current_password', 'new_password'],
  properties: {
    current_password: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX_LENGTH },
    new_password: { type: 'string', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH },
  },
} as const;

export const logoutBody = {
  type: 'object',
  properties: {
    refresh_token: { type: 'string', minLength: 1, maxLength: REFRESH_TOKEN_MAX_LENGTH },
  },
} as const;

const meta = {
  type: 'object',
  required: ['request_id'],
  properties: { request_id: { type: 'string' } },
} as const;

export const userObject = {
  type: 'object',
  required: ['id', 'username', 'email', 'created_at'],
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    email: { type: 'string' },
    created_at: { type: 'string' },
  },
} as const;

/** `refresh_token` is left out when the refresh token went into the HttpOnly cookie instead. */
export const tokenPairResponse = {
  type: 'object',
  required: ['user', 'access_token', 'token_type', 'expires_in', 'refresh_expires_in', 'meta'],
  properties: {
    user: userObject,
    access_token: { type: 'string' },
    refresh_token: { type: 'string' },
    token_type: { type: 'string' },
    expires_in: { type: 'integer' },
    refresh_expires_in: { type: 'integer' },
    meta,
  },
} as const;

export const profileResponse = {
  type: 'object',
  required: ['user', 'meta'],
  properties: { user: userObject, meta },
} as const;

export const logoutResponse = {
  type: 'object',
  required: ['logged_out', 'meta'],
  properties: { logged_out: { type: 'boolean' }, meta },
} as const;

export const healthResponse = {
  type: 'object',
  required: ['status', 'service', 'checks', 'uptime_seconds', 'meta'],
  properties: {
    status: { type: 'string' },
    service: { type: 'string' },
    checks: { type: 'object', properties: { database: { type: 'string' } } },
    uptime_seconds: { type: 'number' },
    meta,
  },
} as const;
