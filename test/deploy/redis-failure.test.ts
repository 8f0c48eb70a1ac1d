/**
 * The Redis failure policy against a real redis-server that the test kills
 * and starts again on the same port. Revocation checks fail open, or closed
 * when configured. Revocations made during the outage are written once Redis
 * is back, and the gateway keeps serving throughout.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { AppError } from '../../src/common/errors.ts';
import { createLogger } from '../../src/common/logger.ts';
import { RedisConnection, type RedisFailureMode } from '../../src/gateway/redis.ts';
import { RedisRevocationList } from '../../src/gateway/revocation-list-redis.ts';
import { FakeUpstream, LogSink, signToken, startTestGateway } from '../../src/gateway/test-support.ts';
import { findRedisServer, RedisServerProcess } from './redis-server.ts';

const binary = findRedisServer();
const skip = binary === null ? 'redis-server is not installed: install the Debian package redis-server to run this test' : false;
const nowSeconds = () => Math.floor(Date.now() / 1000);

let redis: RedisServerProcess;

before(async () => {
  if (binary) redis = await RedisServerProcess.start(binary);
});

after(async () => {
  await redis?.kill();
});

/** Polls `condition` every 20 ms until it holds, failing after `timeoutMs`. */
async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((done) => setTimeout(done, 20));
  }
  assert.fail(`${what} did not happen within ${timeoutMs} ms`);
}

async function replica(failureMode: RedisFailureMode, logs = new LogSink(), keyPrefix = `failure-${randomUUID()}:`) {
  const logger = createLogger({ service: 'gateway', level: 'debug', destination: logs });
  const connection = await RedisConnection.open(
    { url: redis.url, keyPrefix, connectTimeoutMs: 500, commandTimeoutMs: 200, revocationFailureMode: failureMode },
    logger,
  );
  const list = new RedisRevocationList({ connection, failureMode, clockToleranceSeconds: 0, logger });
  return {
    connection,
    list,
    logs,
    async close() {
      list.close();
      await connection.close();
    },
  };
}

test('revocations survive a redis outage', { skip }, async (t) => {
  const logs = new LogSink();
  const open = await replica('open', logs);
  t.after(() => open.close());
  assert.equal(await open.connection.waitUntilReady(5000), true);
  // A second replica on the same keys, as another gateway process would be.
  const other = await RedisConnection.open({ ...open.connection.settings }, createLogger({ service: 'gateway', level: 'silent' }));
  const otherList = new RedisRevocationList({ connection: other, failureMode: 'open', clockToleranceSeconds: 0, logger: createLogger({ service: 'gateway', level: 'silent' }) });
  t.after(async () => {
    otherList.close();
    await other.close();
  });
  assert.equal(await other.waitUntilReady(5000), true);

  const before = randomUUID();
  await open.list.revoke(before, nowSeconds() + 600);
  assert.equal(await otherList.isRevoked(before), true);

  await redis.kill();
  await eventually(() => !open.connection.available, 'noticing the outage');

  await t.test('fail open keeps local revocations', async () => {
    assert.equal(await open.list.isRevoked(before), true);
    assert.equal(await open.list.isRevoked(randomUUID()), false);
  });

  const during = randomUUID();
  await t.test('revoke during outage is kept locally', async () => {
    await open.list.revoke(during, nowSeconds() + 600);
    assert.equal(open.list.unwrittenCount, 1);
    assert.equal(await open.list.isRevoked(during), true);
    const warnings = logs.lines.filter((line) => line.msg.startsWith('revocation list unavailable'));
    assert.equal(warnings.length, 1, 'the outage is logged once');
    assert.equal(warnings[0].level, 40);
  });

  await redis.restart();
  await eventually(() => open.connection.available && other.available, 'reconnecting');

  await t.test('recovery writes the outage revocations', async () => {
    await eventually(() => open.list.unwrittenCount === 0, 'writing the kept revocations');
    assert.equal(await otherList.isRevoked(during), true);
    assert.ok(logs.lines.some((line) => line.msg === 'revocation list available again'));
    assert.ok(logs.lines.some((line) => line.msg === 'redis connection ready'));
  });
});

test('fail closed rejects unknown tokens during an outage', { skip }, async (t) => {
  const closed = await replica('closed');
  t.after(() => closed.close());
  assert.equal(await closed.connection.waitUntilReady(5000), true);
  const known = randomUUID();
  await closed.list.revoke(known, nowSeconds() + 600);
  assert.equal(await closed.list.isRevoked(randomUUID()), false);

  await redis.kill();
  await eventually(() => !closed.connection.available, 'noticing the outage');

  assert.equal(await closed.list.isRevoked(known), true);
  await assert.rejects(closed.list.isRevoked(randomUUID()), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'SERVICE_UNAVAILABLE');
    assert.equal(error.headers?.['retry-after'], '5');
    return true;
  });

  await redis.restart();
  await eventually(() => closed.connection.available, 'reconnecting');
  assert.equal(await closed.list.isRevoked(randomUUID()), false);
});

test('a hung redis costs 3 timeouts per second', { skip }, async (t) => {
  const logs = new LogSink();
  const hung = await replica('open', logs);
  t.after(async () => {
    redis.resume();
    await hung.close();
  });
  assert.equal(await hung.connection.waitUntilReady(5000), true);
  assert.equal(await hung.list.isRevoked(randomUUID()), false);

  redis.pause();
  // The first 3 checks each wait for the 200 ms command timeout, then Redis is paused.
  let started = performance.now();
  for (let index = 0; index < 3; index += 1) assert.equal(await hung.list.isRevoked(randomUUID()), false, 'fail open after the command timeout');
  const first = performance.now() - started;
  assert.ok(first >= 450, `3 checks returned after ${first.toFixed(0)} ms, before their 200 ms command timeouts`);
  started = performance.now();
  assert.equal(await hung.list.isRevoked(randomUUID()), false);
  const second = performance.now() - started;
  assert.ok(second < 100, `the next check waited ${second.toFixed(0)} ms instead of skipping Redis`);

  redis.resume();
  await new Promise((done) => setTimeout(done, 1100));
  const known = randomUUID();
  await hung.list.revoke(known, nowSeconds() + 600);
  assert.equal(hung.list.unwrittenCount, 0, 'after the pause, the revocation reaches Redis');
  assert.ok(logs.lines.some((line) => line.msg === 'revocation list available again'));
});

test('replicas learn each other\'s revocations', { skip }, async (t) => {
  const keyPrefix = `mirror-${randomUUID()}:`;
  const first = await replica('open', new LogSink(), keyPrefix);
  const second = await replica('open', new LogSink(), keyPrefix);
  t.after(() => Promise.all([first.close(), second.close()]));
  assert.equal(await first.connection.waitUntilReady(5000), true);
  assert.equal(await second.connection.waitUntilReady(5000), true);

  const published = randomUUID();
  await first.list.revoke(published, nowSeconds() + 600);
  await eventually(() => second.list.knownCount === 1, 'the revocation reaching the other replica');

  // A replica that starts later copies the revocations already in Redis.
  const late = await replica('open', new LogSink(), keyPrefix);
  t.after(() => late.close());
  assert.equal(await late.connection.waitUntilReady(5000), true);
  await eventually(() => late.list.knownCount === 1, 'the late replica copying the revocations');

  await redis.kill();
  await eventually(() => !second.connection.available && !late.connection.available, 'noticing the outage');
  assert.equal(await second.list.isRevoked(published), true, 'the published revocation holds during the outage');
  assert.equal(await late.list.isRevoked(published), true, 'the copied revocation holds during the outage');
  assert.equal(await second.list.isRevoked(randomUUID()), false);

  await redis.restart();
  await eventually(() => first.connection.available && second.connection.available, 'reconnecting');
});

test('gateway keeps serving through a redis outage', { skip }, async (t) => {
  const upstream = await FakeUpstream.start();
  const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `gateway-${randomUUID()}:`, REDIS_COMMAND_TIMEOUT_MS: '200' };
  const open = await startTestGateway({ auth: upstream.url, chat: upstream.url }, env);
  const closed = await startTestGateway({ auth: upstream.url, chat: upstream.url }, { ...env, REVOCATION_FAILURE_MODE: 'closed' });
  t.after(async () => {
    await Promise.all([open.close(), closed.close()]);
    await upstream.stop();
  });
  const history = (gateway: { url: string }, token: string) =>
    fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } }).then(async (response) => ({
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as { error?: { code: string } },
    }));

  const loggedOut = await signToken();
  const active = await signToken();
  const logout = await fetch(`${open.url}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${loggedOut}` } });
  assert.equal(logout.status, 200);
  assert.equal((await history(closed, loggedOut)).body.error?.code, 'TOKEN_REVOKED', 'the other gateway reads the revocation from Redis');

  await redis.kill();
  await eventually(() => open.logs.lines.some((line) => line.msg.startsWith('redis connection lost')), 'the gateway noticing the outage');

  await t.test('fail open serves and still refuses known revocations', async () => {
    assert.equal((await history(open, active)).status, 200);
    const refused = await history(open, loggedOut);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error?.code, 'TOKEN_REVOKED');
  });

  await t.test('fail closed rejects with 503', async () => {
    const rejected = await history(closed, active);
    assert.equal(rejected.status, 503);
    assert.equal(rejected.body.error?.code, 'SERVICE_UNAVAILABLE');
    assert.equal(rejected.retryAfter, '5');
    assert.equal((await history(closed, loggedOut)).status, 401, 'a revocation known locally is still refused');
  });

  await t.test('health and public routes do not depend on redis', async () => {
    const health = await fetch(`${closed.url}/health`);
    await health.arrayBuffer();
    assert.equal(health.status, 200);
    const login = await fetch(`${closed.url}/api/auth/login`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    await login.arrayBuffer();
    assert.equal(login.status, 200);
  });

  await redis.restart();
  await t.test('both recover when redis returns', async () => {
    // Ready once at start and once more after the outage.
    await eventually(() => open.logs.lines.filter((line) => line.msg === 'redis connection ready').length === 2, 'reconnecting');
    await eventually(async () => (await history(closed, active)).status === 200, 'the fail-closed gateway serving again');
    assert.equal((await history(open, active)).status, 200);
  });
});
