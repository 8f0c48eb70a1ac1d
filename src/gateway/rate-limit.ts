import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../common/errors.ts';
import { rateLimitAddressKey } from './edge/client-address.ts';
import type { RateLimitStore } from './rate-limit-store.ts';
import type { RateLimitSettings } from './security-config.ts';

/** The names of the bucket limits, one per abuse-prone action and subject. */
export type BucketName = Exclude<keyof RateLimitSettings, 'loginBackoff'>;

/** Who a limit counts: the client address, an account name from the body, or the verified user. */
export type Subject = { kind: 'ip'; address: string } | { kind: 'account'; name: string } | { kind: 'user'; id: string };

/**
 * Account names are hashed before they become keys, so Redis and memory
 * dumps hold no usernames or email addresses, and every key has one length.
 */
function subjectKey(subject: Subject): string {
  switch (subject.kind) {
    case 'ip':
      return `ip:${rateLimitAddressKey(subject.address)}`;
    case 'account':
      return `account:${createHash('sha256').update(subject.name.trim().toLowerCase()).digest('base64url').slice(0, 32)}`;
    case 'user':
      return `user:${subject.id}`;
  }
}

function rateLimited(waitMs: number, message: string): AppError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AppError('RATE_LIMITED', `${message} Retry in ${seconds} s.`, { headers: { 'retry-after': String(seconds) } });
}

/**
 * Applies the configured limits: token buckets per action and subject, and
 * the growing backoff of one account after failed logins. A refused request
 * is a 429 RATE_LIMITED with Retry-After in whole seconds. The log line names
 * the limit and the subject kind; an account appears only as its hash.
 */
export class RateLimiter {
  readonly store: RateLimitStore;
  readonly settings: RateLimitSettings;

  constructor(store: RateLimitStore, settings: RateLimitSettings) {
    this.store = store;
    this.settings = settings;
  }

  /** Takes one request from the `name` bucket of `subject`; throws RATE_LIMITED when it is empty. */
  async take(name: BucketName, subject: Subject, log: FastifyBaseLogger): Promise<void> {
    const rule = this.settings[name];
    if (!rule) return;
    const key = `${name}:${subjectKey(subject)}`;
    const result = await this.store.take(key, rule);
    if (result.allowed) return;
    log.info({ limit: name, subject: subject.kind, key, retryAfterMs: result.retryAfterMs }, 'rate limit reached');
    throw rateLimited(result.retryAfterMs, 'Too many requests.');
  }

  /** Throws RATE_LIMITED while the account waits out its failed logins. */
  async checkLoginBackoff(account: string, log: FastifyBaseLogger): Promise<void> {
    if (!this.settings.loginBackoff) return;
    const key = `login-failures:${subjectKey({ kind: 'account', name: account })}`;
    const waitMs = await this.store.blockedFor(key);
    if (waitMs === 0) return;
    log.info({ limit: 'loginBackoff', key, retryAfterMs: waitMs }, 'login rejected during backoff');
    throw rateLimited(waitMs, 'Too many failed logins for this account.');
  }

  /** Counts a failed login (401) or clears the count after a successful one (2xx); other statuses change nothing. */
  async recordLogin(account: string, statusCode: number, log: FastifyBaseLogger): Promise<void> {
    const rule = this.settings.loginBackoff;
    if (!rule) return;
    const key = `login-failures:${subjectKey({ kind: 'account', name: account })}`;
    if (statusCode >= 200 && statusCode < 300) {
      await this.store.clearFailures(key);
    } else if (statusCode === 401) {
      const waitMs = await this.store.recordFailure(key, rule);
      if (waitMs > 0) log.info({ limit: 'loginBackoff', key, blockedMs: waitMs }, 'account login backoff started');
    }
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
