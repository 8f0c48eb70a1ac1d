import { ConfigError, readBoolean, readInteger, readOptionalString, readString, type Env } from '../common/config.ts';
import { parseOrigins } from './edge/cors.ts';
import { TrustedProxies } from './edge/client-address.ts';
import { DEFAULT_CONTENT_SECURITY_POLICY } from './edge/security-headers.ts';
import type { ClientLimits } from './edge/slow-clients.ts';

/** A token bucket: `capacity` requests at once, refilled completely over `periodSeconds`. */
export interface BucketRule {
  capacity: number;
  periodSeconds: number;
}

/** Growing waits after repeated failed logins of one account. */
export interface BackoffRule {
  /** Failed logins in a row before the first wait. */
  threshold: number;
  /** The first wait; each further failure doubles it. */
  baseSeconds: number;
  maxSeconds: number;
  /** Failures are forgotten this long after the last one. */
  resetSeconds: number;
}

/** The limits of each abuse-prone action; null turns one off. */
export interface RateLimitSettings {
  loginPerIp: BucketRule | null;
  loginPerAccount: BucketRule | null;
  loginBackoff: BackoffRule | null;
  registerPerIp: BucketRule | null;
  registerPerAccount: BucketRule | null;
  refreshPerIp: BucketRule | null;
  passwordPerUser: BucketRule | null;
  chatMessagesPerUser: BucketRule | null;
}

/** The gateway's security settings; docs/security.md lists each variable. */
export interface SecuritySettings {
  trustedProxies: TrustedProxies;
  corsOrigins: string[];
  corsMaxAgeSeconds: number;
  contentSecurityPolicy: string;
  hstsMaxAgeSeconds: number;
  clientLimits: ClientLimits;
  rateLimits: RateLimitSettings;
  /**
   * Whether request bodies and query strings of the public routes are checked
   * against their schemas at the gateway. Off streams every body unread; the
   * proxy tests against fake services use that, production should not.
   */
  requestValidation: boolean;
}

/** Reads a limit written as `<requests>/<seconds>`, such as `20/60`, or `off`. */
export function readBucketRule(env: Env, name: string, fallback: BucketRule | null): BucketRule | null {
  const raw = readOptionalString(env, name);
  if (raw === undefined) return fallback;
  if (raw.toLowerCase() === 'off') return null;
  const match = /^(\d{1,7})\s*\/\s*(\d{1,6})$/.exec(raw);
  const capacity = match ? Number(match[1]) : 0;
  const periodSeconds = match ? Number(match[2]) : 0;
  if (!match || capacity < 1 || periodSeconds < 1 || periodSeconds > 86_400) {
    throw new ConfigError(name, `invalid value "${raw}": expected <requests>/<seconds> such as 20/60, with 1 to 86400 seconds, or off`);
  }
  return { capacity, periodSeconds };
}

function readBackoffRule(env: Env): BackoffRule | null {
  const threshold = readInteger(env, 'LOGIN_BACKOFF_THRESHOLD', 5, { min: 0, max: 1000 });
  if (threshold === 0) return null;
  const baseSeconds = readInteger(env, 'LOGIN_BACKOFF_BASE_SECONDS', 1, { min: 1, max: 3600 });
  const maxSeconds = readInteger(env, 'LOGIN_BACKOFF_MAX_SECONDS', 300, { min: 1, max: 86_400 });
  if (maxSeconds < baseSeconds) {
    throw new ConfigError('LOGIN_BACKOFF_MAX_SECONDS', `invalid value "${maxSeconds}": expected at least LOGIN_BACKOFF_BASE_SECONDS (${baseSeconds})`);
  }
  return { threshold, baseSeconds, maxSeconds, resetSeconds: Math.max(900, maxSeconds) };
}

const NO_RATE_LIMITS: RateLimitSettings = {
  loginPerIp: null,
  loginPerAccount: null,
  loginBackoff: null,
  registerPerIp: null,
  registerPerAccount: null,
  refreshPerIp: null,
  passwordPerUser: null,
  chatMessagesPerUser: null,
};

function readRateLimits(env: Env): RateLimitSettings {
  if (!readBoolean(env, 'RATE_LIMITS', true)) return NO_RATE_LIMITS;
  return {
    loginPerIp: readBucketRule(env, 'RATE_LIMIT_LOGIN_PER_IP', { capacity: 20, periodSeconds: 60 }),
    loginPerAccount: readBucketRule(env, 'RATE_LIMIT_LOGIN_PER_ACCOUNT', { capacity: 10, periodSeconds: 60 }),
    loginBackoff: readBackoffRule(env),
    registerPerIp: readBucketRule(env, 'RATE_LIMIT_REGISTER_PER_IP', { capacity: 10, periodSeconds: 600 }),
    registerPerAccount: readBucketRule(env, 'RATE_LIMIT_REGISTER_PER_ACCOUNT', { capacity: 5, periodSeconds: 600 }),
    refreshPerIp: readBucketRule(env, 'RATE_LIMIT_REFRESH_PER_IP', { capacity: 60, periodSeconds: 60 }),
    passwordPerUser: readBucketRule(env, 'RATE_LIMIT_PASSWORD_PER_USER', { capacity: 5, periodSeconds: 300 }),
    chatMessagesPerUser: readBucketRule(env, 'RATE_LIMIT_CHAT_MESSAGES_PER_USER', { capacity: 30, periodSeconds: 60 }),
  };
}

function readTrustedProxies(env: Env): TrustedProxies {
  const raw = readOptionalString(env, 'TRUSTED_PROXIES');
  const trustAll = readBoolean(env, 'TRUST_FORWARDED_HEADERS', false);
  if (raw !== undefined && trustAll) {
    throw new ConfigError('TRUST_FORWARDED_HEADERS', 'set either TRUSTED_PROXIES (preferred) or TRUST_FORWARDED_HEADERS, not both');
  }
  // TRUST_FORWARDED_HEADERS=true predates TRUSTED_PROXIES and means: every peer is a trusted proxy.
  return trustAll ? TrustedProxies.everyone() : TrustedProxies.parse(raw, 'TRUSTED_PROXIES');
}

function readClientLimits(env: Env): ClientLimits {
  const headersTimeoutMs = readInteger(env, 'HEADERS_TIMEOUT_MS', 10_000, { min: 100, max: 300_000 });
  const requestTimeoutMs = readInteger(env, 'REQUEST_TIMEOUT_MS', 30_000, { min: 100, max: 3_600_000 });
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new ConfigError('REQUEST_TIMEOUT_MS', `invalid value "${requestTimeoutMs}": expected at least HEADERS_TIMEOUT_MS (${headersTimeoutMs})`);
  }
  return {
    maxHeaderSizeBytes: readInteger(env, 'MAX_HEADER_SIZE_BYTES', 16 * 1024, { min: 1024, max: 1024 * 1024 }),
    headersTimeoutMs,
    requestTimeoutMs,
    bodyIdleTimeoutMs: readInteger(env, 'BODY_IDLE_TIMEOUT_MS', 10_000, { min: 0, max: 3_600_000 }),
  };
}

/** Reads and validates the security variables; a bad value throws a ConfigError naming it. */
export function readSecuritySettings(env: Env): SecuritySettings {
  return {
    trustedProxies: readTrustedProxies(env),
    corsOrigins: parseOrigins(readOptionalString(env, 'CORS_ORIGINS'), 'CORS_ORIGINS'),
    corsMaxAgeSeconds: readInteger(env, 'CORS_MAX_AGE_SECONDS', 600, { min: 0, max: 86_400 }),
    contentSecurityPolicy: readString(env, 'CONTENT_SECURITY_POLICY', DEFAULT_CONTENT_SECURITY_POLICY),
    hstsMaxAgeSeconds: readInteger(env, 'HSTS_MAX_AGE_SECONDS', 31_536_000, { min: 0, max: 63_072_000 }),
    clientLimits: readClientLimits(env),
    rateLimits: readRateLimits(env),
    requestValidation: readBoolean(env, 'REQUEST_VALIDATION', true),
  };
}
