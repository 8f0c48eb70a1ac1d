import type { Redis } from 'ioredis';
import type { Logger } from '../common/logger.ts';
import type { RedisConnection } from './redis.ts';
import { gcraTiming, MemoryRateLimitStore, type RateLimitStore, type TakeResult } from './rate-limit-store.ts';
import type { BackoffRule, BucketRule } from './security-config.ts';

/*
 * The scripts run atomically in Redis and read the time from Redis (TIME),
 * so replicas with skewed clocks still share one timeline. Each returns
 * milliseconds: the wait before the next allowed request, or the time the
 * key stays blocked.
 */

/** GCRA: KEYS[1] contains the theoretical arrival time; ARGV = emission interval, period (ms). Returns 0 or the wait. */
const TAKE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local next_tat = tat + interval
if next_tat - now > period then
  return math.max(1, math.ceil(next_tat - now - period))
end
redis.call('SET', KEYS[1], tostring(next_tat), 'PX', math.max(1, math.ceil(next_tat - now)))
return 0
`;

/** KEYS[1] is a hash {failures, blocked_until}; ARGV = threshold, base ms, max ms, reset ms. Returns the block in ms. */
const FAILURE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local threshold = tonumber(ARGV[1])
local base = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local reset = tonumber(ARGV[4])
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local wait = 0
if failures >= threshold then
  wait = math.floor(math.min(base * 2 ^ math.min(failures - threshold, 30), max))
  redis.call('HSET', KEYS[1], 'blocked_until', tostring(now + wait))
end
redis.call('PEXPIRE', KEYS[1], math.max(reset, wait))
return wait
`;

/** KEYS[1] is the backoff hash. Returns the milliseconds it stays blocked. */
const BLOCKED_SCRIPT = `
local until_ms = tonumber(redis.call('HGET', KEYS[1], 'blocked_until') or 0)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if until_ms > now then return until_ms - now end
return 0
`;

type ScriptedRedis = Redis & {
  rateLimitTake(key: string, intervalMs: number, periodMs: number): Promise<number>;
  rateLimitFailure(key: string, threshold: number, baseMs: number, maxMs: number, resetMs: number): Promise<number>;
  rateLimitBlocked(key: string): Promise<number>;
};

/**
 * A RateLimitStore in Redis, shared by gateway replicas. Keys live under the
 * connection's prefix plus `rl:`. While Redis cannot answer, the store fails
 * open to a per-replica memory store: limits still hold per replica, and a
 * Redis outage never turns logins into errors. Each switch is logged once.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: ScriptedRedis;
  readonly #connection: RedisConnection;
  readonly #fallback = new MemoryRateLimitStore();
  readonly #logger: Logger;
  #degraded = false;

  constructor(connection: RedisConnection, logger: Logger) {
    this.#connection = connection;
    this.#logger = logger;
    const client = connection.client;
    if (!('rateLimitTake' in client)) {
      client.defineCommand('rateLimitTake', { numberOfKeys: 1, lua: TAKE_SCRIPT });
      client.defineCommand('rateLimitFailure', { numberOfKeys: 1, lua: FAILURE_SCRIPT });
      client.defineCommand('rateLimitBlocked', { numberOfKeys: 1, lua: BLOCKED_SCRIPT });
    }
    this.#redis = client as ScriptedRedis;
  }

  take(key: string, rule: BucketRule): Promise<TakeResult> {
    const { intervalMs, periodMs } = gcraTiming(rule);
    return this.#run(
      async () => {
        const wait = Number(await this.#redis.rateLimitTake(`rl:b:${key}`, intervalMs, periodMs));
        return { allowed: wait === 0, retryAfterMs: wait };
      },
      () => this.#fallback.take(key, rule),
    );
  }

  blockedFor(key: string): Promise<number> {
    return this.#run(async () => Number(await this.#redis.rateLimitBlocked(`rl:f:${key}`)), () => this.#fallback.blockedFor(key));
  }

  recordFailure(key: string, rule: BackoffRule): Promise<number> {
    return this.#run(
      async () => Number(await this.#redis.rateLimitFailure(`rl:f:${key}`, rule.threshold, rule.baseSeconds * 1000, rule.maxSeconds * 1000, rule.resetSeconds * 1000)),
      () => this.#fallback.recordFailure(key, rule),
    );
  }

  clearFailures(key: string): Promise<void> {
    return this.#run(
      async () => {
        await this.#redis.del(`rl:f:${key}`);
      },
      () => this.#fallback.clearFailures(key),
    );
  }

  async close(): Promise<void> {
    await this.#fallback.close();
  }

  async #run<T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    if (!this.#connection.available) return this.#local(local);
    try {
      const result = await shared();
      if (this.#degraded) this.#logger.info('rate limits are shared through redis again');
      this.#degraded = false;
      return result;
    } catch (error) {
      return this.#local(local, error);
    }
  }

  #local<T>(local: () => Promise<T>, error?: unknown): Promise<T> {
    if (!this.#degraded) this.#logger.warn({ err: error }, 'redis unavailable; rate limits count per replica until it is back');
    this.#degraded = true;
    return local();
  }
}
