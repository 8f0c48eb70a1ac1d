import { LRUCache } from 'lru-cache';
import type { BackoffRule, BucketRule } from './security-config.ts';

/** The outcome of taking one request from a bucket. */
export interface TakeResult {
  allowed: boolean;
  /** Milliseconds until a request would be allowed again; 0 when allowed. */
  retryAfterMs: number;
}

/**
 * Where rate-limit counters live: process memory for one gateway, Redis for
 * replicas that must share them. Buckets use GCRA, the generic cell rate
 * algorithm: one stored number per key, the theoretical arrival time, which
 * makes a token bucket refilled at a steady rate. Backoff entries count the
 * failed logins of an account and block it for a time that doubles with each
 * failure past the threshold.
 */
export interface RateLimitStore {
  take(key: string, rule: BucketRule): Promise<TakeResult>;
  /** Milliseconds the key stays blocked by its failures; 0 when it is not blocked. */
  blockedFor(key: string): Promise<number>;
  /** Counts a failure and returns the milliseconds the key is now blocked for (0 below the threshold). */
  recordFailure(key: string, rule: BackoffRule): Promise<number>;
  clearFailures(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Returns the wait after the `failures`-th failure in a row. */
export function backoffMs(failures: number, rule: BackoffRule): number {
  if (failures < rule.threshold) return 0;
  const exponent = Math.min(failures - rule.threshold, 30);
  return Math.min(rule.baseSeconds * 1000 * 2 ** exponent, rule.maxSeconds * 1000);
}

/**
 * Returns the GCRA parameters of a rule in whole milliseconds: the time one request
 * adds to the bucket, and the window a full bucket spans. Whole numbers keep
 * the Redis script, whose numbers print in %.14g, exact.
 */
export function gcraTiming(rule: BucketRule): { intervalMs: number; periodMs: number } {
  const intervalMs = Math.ceil((rule.periodSeconds * 1000) / rule.capacity);
  return { intervalMs, periodMs: intervalMs * rule.capacity };
}

/** Computes one step of GCRA: the new theoretical arrival time, or the wait when the bucket is empty. */
export function gcra(storedTat: number | undefined, now: number, rule: BucketRule): { tat: number; retryAfterMs: number } {
  const { intervalMs, periodMs } = gcraTiming(rule);
  const tat = Math.max(storedTat ?? now, now) + intervalMs;
  if (tat - now > periodMs) return { tat: storedTat ?? now, retryAfterMs: Math.max(1, Math.ceil(tat - now - periodMs)) };
  return { tat, retryAfterMs: 0 };
}

interface Backoff {
  failures: number;
  blockedUntil: number;
}

/** Most keys kept; the least recently used go first, so a flood of addresses cannot exhaust memory. */
const DEFAULT_MAX_KEYS = 100_000;

/** A RateLimitStore in process memory, for one gateway or as the fallback while Redis is unreachable. */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #buckets: LRUCache<string, number>;
  readonly #backoffs: LRUCache<string, Backoff>;
  readonly #now: () => number;

  constructor(options: { maxKeys?: number; now?: () => number } = {}) {
    const max = options.maxKeys ?? DEFAULT_MAX_KEYS;
    this.#now = options.now ?? Date.now;
    this.#buckets = new LRUCache({ max, ttlAutopurge: false, perf: { now: () => this.#now() } });
    this.#backoffs = new LRUCache({ max, ttlAutopurge: false, perf: { now: () => this.#now() } });
  }

  async take(key: string, rule: BucketRule): Promise<TakeResult> {
    const now = this.#now();
    const step = gcra(this.#buckets.get(key), now, rule);
    if (step.retryAfterMs > 0) return { allowed: false, retryAfterMs: step.retryAfterMs };
    this.#buckets.set(key, step.tat, { ttl: Math.max(1, Math.ceil(step.tat - now)) });
    return { allowed: true, retryAfterMs: 0 };
  }

  async blockedFor(key: string): Promise<number> {
    const entry = this.#backoffs.get(key);
    return entry ? Math.max(0, entry.blockedUntil - this.#now()) : 0;
  }

  async recordFailure(key: string, rule: BackoffRule): Promise<number> {
    const now = this.#now();
    const failures = (this.#backoffs.get(key)?.failures ?? 0) + 1;
    const waitMs = backoffMs(failures, rule);
    const entry = { failures, blockedUntil: now + waitMs };
    this.#backoffs.set(key, entry, { ttl: Math.max(rule.resetSeconds * 1000, waitMs) });
    return waitMs;
  }

  async clearFailures(key: string): Promise<void> {
    this.#backoffs.delete(key);
  }

  async close(): Promise<void> {
    this.#buckets.clear();
    this.#backoffs.clear();
  }
}
