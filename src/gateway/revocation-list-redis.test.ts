import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { ConfigError } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { readRedisSettings, RedisConnection, redactedUrl, type RedisSettings } from './redis.ts';
import { deleteKeys, redisSkip, scanKeys, testRedis } from './redis-testing.ts';
import { RedisRevocationList } from './revocation-list-redis.ts';
import { LogSink } from './test-support.ts';

const nowSeconds = () => Math.floor(Date.now() / 1000);

function settingsFor(url: string, keyPrefix: string): RedisSettings {
  return { url, keyPrefix, connectTimeoutMs: 2000, commandTimeoutMs: 1000, revocationFailureMode: 'open' };
}

/** Two gateway replicas' revocation lists on their own connections to one Redis, as in production. */
async function twoReplicas(t: { after(fn: () => Promise<void>): void }, clockToleranceSeconds = 0) {
  const { url, keyPrefix } = testRedis();
  const logs = new LogSink();
  const logger = createLogger({ service: 'gateway', level: 'debug', destination: logs });
  const connections = [await RedisConnection.open(settingsFor(url, keyPrefix), logger), await RedisConnection.open(settingsFor(url, keyPrefix), logger)];
  for (const connection of connections) assert.equal(await connection.waitUntilReady(5000), true, 'Redis at TEST_REDIS_URL is not ready');
  const lists = connections.map((connection) => new RedisRevocationList({ connection, failureMode: 'open', clockToleranceSeconds, logger }));
  t.after(async () => {
    for (const list of lists) list.close();
    await Promise.all(connections.map((connection) => connection.close()));
    await deleteKeys(url, keyPrefix);
  });
  return { url, keyPrefix, lists, logs };
}

test('redis settings are off without REDIS_URL', () => {
  assert.equal(readRedisSettings({}), null);
  assert.equal(readRedisSettings({ REDIS_URL: '  ' }), null);
});

test('redis settings read every variable', () => {
  const settings = readRedisSettings({
    REDIS_URL: 'redis://:secret@127.0.0.1:6380/2',
    REDIS_KEY_PREFIX: 'prod:gw:',
    REDIS_CONNECT_TIMEOUT_MS: '1500',
    REDIS_COMMAND_TIMEOUT_MS: '100',
    REVOCATION_FAILURE_MODE: 'closed',
  });
  assert.deepEqual(settings, {
    url: 'redis://:secret@127.0.0.1:6380/2',
    keyPrefix: 'prod:gw:',
    connectTimeoutMs: 1500,
    commandTimeoutMs: 100,
    revocationFailureMode: 'closed',
  });
});

test('redis settings reject bad values by name', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis://127.0.0.1', REDIS_KEY_PREFIX: 'has space' }, 'REDIS_KEY_PREFIX'],
    [{ REDIS_URL: 'redis://127.0.0.1', REDIS_COMMAND_TIMEOUT_MS: '0' }, 'REDIS_COMMAND_TIMEOUT_MS'],
    [{ REDIS_URL: 'redis://127.0.0.1', REVOCATION_FAILURE_MODE: 'sometimes' }, 'REVOCATION_FAILURE_MODE'],
  ];
  for (const [env, variable] of cases) {
    assert.throws(() => readRedisSettings(env), (error: unknown) => error instanceof ConfigError && error.variable === variable, variable);
  }
});

test('redis url is logged without its password', () => {
  assert.equal(redactedUrl('redis://user:secret@127.0.0.1:6379/0'), 'redis://user:***@127.0.0.1:6379/0');
  assert.equal(redactedUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
});

test('redis revocation on one replica holds on another', { skip: redisSkip }, async (t) => {
  const { lists } = await twoReplicas(t);
  const [first, second] = lists;
  const jti = randomUUID();

  assert.equal(await second.isRevoked(jti), false);
  await first.revoke(jti, nowSeconds() + 600);
  assert.equal(await second.isRevoked(jti), true);
  assert.equal(await first.isRevoked(jti), true);
  assert.equal(await second.isRevoked(randomUUID()), false);
});

test('redis revocation key expires with the token', { skip: redisSkip }, async (t) => {
  const tolerance = 30;
  const { url, keyPrefix, lists } = await twoReplicas(t, tolerance);
  const jti = randomUUID();
  const expiresAt = nowSeconds() + 120;
  await lists[0].revoke(jti, expiresAt);

  const reader = new Redis(url);
  t.after(() => reader.disconnect());
  const ttlMs = await reader.pttl(`${keyPrefix}revoked:${jti}`);
  // Remaining lifetime plus the clock tolerance: about 150 s, minus the time the test took so far.
  assert.ok(ttlMs > 140_000, `TTL ${ttlMs} ms`);
  assert.ok(ttlMs <= 151_000, `TTL ${ttlMs} ms`);
  assert.equal(await reader.get(`${keyPrefix}revoked:${jti}`), String(expiresAt));
});

test('redis revocation of an expired token writes nothing', { skip: redisSkip }, async (t) => {
  const { url, keyPrefix, lists } = await twoReplicas(t);
  const jti = randomUUID();
  await lists[0].revoke(jti, nowSeconds() - 10);

  const reader = new Redis(url);
  t.after(() => reader.disconnect());
  assert.equal(await reader.exists(`${keyPrefix}revoked:${jti}`), 0);
  assert.equal(await lists[1].isRevoked(jti), false);
});

test('redis revocation keys stay under the prefix', { skip: redisSkip }, async (t) => {
  const { url, keyPrefix, lists } = await twoReplicas(t);
  await lists[0].revoke(randomUUID(), nowSeconds() + 60);
  await lists[0].revoke(randomUUID(), nowSeconds() + 60);

  const reader = new Redis(url);
  t.after(() => reader.disconnect());
  const keys = await scanKeys(reader, keyPrefix);
  assert.equal(keys.length, 2);
  for (const key of keys) assert.match(key, new RegExp(`^${keyPrefix}revoked:`));
});
