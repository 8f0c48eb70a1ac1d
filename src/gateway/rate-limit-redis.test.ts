import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createLogger } from '../common/logger.ts';
import { RedisRateLimitStore } from './rate-limit-redis.ts';
import { RedisConnection, type RedisSettings } from './redis.ts';
import { deleteKeys, redisSkip, scanKeys, testRedis } from './redis-testing.ts';
import { closedPort, LogSink } from './test-support.ts';

function settings(url: string, keyPrefix: string): RedisSettings {
  return { url, keyPrefix, connectTimeoutMs: 500, commandTimeoutMs: 250, revocationFailureMode: 'open' };
}

describe('RedisRateLimitStore', { skip: redisSkip }, () => {
  const redis = redisSkip ? null : testRedis();
  after(async () => {
    if (redis) await deleteKeys(redis.url, redis.keyPrefix);
  });

  test('two stores share buckets and backoffs', async () => {
    const logs = new LogSink();
    const logger = createLogger({ service: 'gateway', level: 'debug', destination: logs });
    const first = await RedisConnection.open(settings(redis!.url, redis!.keyPrefix), logger);
    const second = await RedisConnection.open(settings(redis!.url, redis!.keyPrefix), logger);
    try {
      assert.ok(await first.waitUntilReady(2000));
      assert.ok(await second.waitUntilReady(2000));
      const a = new RedisRateLimitStore(first, logger);
      const b = new RedisRateLimitStore(second, logger);
      const rule = { capacity: 2, periodSeconds: 60 };
      assert.equal((await a.take('login:ip:1', rule)).allowed, true);
      assert.equal((await b.take('login:ip:1', rule)).allowed, true);
      const refused = await a.take('login:ip:1', rule);
      assert.equal(refused.allowed, false);
      assert.ok(refused.retryAfterMs > 29_000, String(refused.retryAfterMs));
      assert.ok(refused.retryAfterMs <= 30_000, String(refused.retryAfterMs));

      const backoff = { threshold: 2, baseSeconds: 1, maxSeconds: 4, resetSeconds: 900 };
      assert.equal(await a.recordFailure('acct', backoff), 0);
      assert.equal(await b.recordFailure('acct', backoff), 1000);
      const blocked = await a.blockedFor('acct');
      assert.ok(blocked > 900, String(blocked));
      assert.ok(blocked <= 1000, String(blocked));
      await b.clearFailures('acct');
      assert.equal(await a.blockedFor('acct'), 0);

      const keys = await scanKeys(first.client, redis!.keyPrefix);
      assert.ok(keys.every((key) => key.startsWith(`${redis!.keyPrefix}rl:`)), keys.join(', '));
      assert.ok(keys.every((key) => !key.includes('acct') || key.includes('rl:f:')));
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe('RedisRateLimitStore without Redis', () => {
  test('falls back to memory and logs once', async () => {
    const logs = new LogSink();
    const logger = createLogger({ service: 'gateway', level: 'debug', destination: logs });
    const connection = await RedisConnection.open(settings(`redis://127.0.0.1:${await closedPort()}`, 'none:'), logger);
    try {
      const store = new RedisRateLimitStore(connection, logger);
      const rule = { capacity: 1, periodSeconds: 60 };
      assert.equal((await store.take('k', rule)).allowed, true);
      assert.equal((await store.take('k', rule)).allowed, false, 'the per-replica fallback stopped limiting');
      const warnings = logs.lines.filter((line) => line.msg.startsWith('redis unavailable; rate limits'));
      assert.equal(warnings.length, 1);
    } finally {
      await connection.close();
    }
  });
});
