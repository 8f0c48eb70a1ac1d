import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../common/config.ts';
import { readGatewayConfig } from './config.ts';
import { readLoadSheddingSettings, readUpstreamSettings } from './resilience-config.ts';

test('resilience defaults', () => {
  const settings = readUpstreamSettings({}, 'AUTH');
  assert.deepEqual(settings, {
    connectTimeoutMs: 3000,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 60_000,
    timeoutMs: 10_000,
    keepAliveTimeoutMs: 4000,
    breaker: {
      windowSize: 20,
      minimumCalls: 10,
      failureRatePercent: 50,
      slowCallMs: 5000,
      slowCallRatePercent: 80,
      openMs: 5000,
      maxOpenMs: 60_000,
      openBackoffMultiplier: 2,
      halfOpenProbes: 3,
    },
    bulkhead: { maxConcurrent: 128, maxQueue: 32, queueTimeoutMs: 1000 },
    retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 1000, budgetPercent: 20, budgetMinRetries: 10, budgetWindowMs: 10_000 },
  });
  assert.deepEqual(readLoadSheddingSettings({}), { maxEventLoopDelayMs: 200, maxHeapUsedPercent: 90, sampleIntervalMs: 500 });
});

test('a prefixed variable overrides the global one for its upstream only', () => {
  const config = readGatewayConfig({ UPSTREAM_TIMEOUT_MS: '4000', CHAT_UPSTREAM_TIMEOUT_MS: '9000', AUTH_BREAKER_MIN_CALLS: '3', BREAKER_OPEN_MULTIPLIER: '1.5' });
  assert.equal(config.upstreams.auth.timeoutMs, 4000);
  assert.equal(config.upstreams.chat.timeoutMs, 9000);
  assert.equal(config.upstreams.auth.breaker.minimumCalls, 3);
  assert.equal(config.upstreams.chat.breaker.minimumCalls, 10);
  assert.equal(config.upstreams.chat.breaker.openBackoffMultiplier, 1.5);
});

test('resilience config names the invalid variable', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ UPSTREAM_HEADERS_TIMEOUT_MS: '0' }, 'UPSTREAM_HEADERS_TIMEOUT_MS'],
    [{ CHAT_UPSTREAM_TIMEOUT_MS: 'soon' }, 'CHAT_UPSTREAM_TIMEOUT_MS'],
    [{ UPSTREAM_KEEP_ALIVE_TIMEOUT_MS: '0' }, 'UPSTREAM_KEEP_ALIVE_TIMEOUT_MS'],
    [{ BREAKER_WINDOW_SIZE: '0' }, 'BREAKER_WINDOW_SIZE'],
    [{ BREAKER_FAILURE_RATE: '101' }, 'BREAKER_FAILURE_RATE'],
    [{ BREAKER_SLOW_CALL_RATE: '0' }, 'BREAKER_SLOW_CALL_RATE'],
    [{ BREAKER_SLOW_CALL_MS: '-1' }, 'BREAKER_SLOW_CALL_MS'],
    [{ BREAKER_OPEN_MULTIPLIER: '0.5' }, 'BREAKER_OPEN_MULTIPLIER'],
    [{ BREAKER_MIN_CALLS: '30' }, 'BREAKER_MIN_CALLS'],
    [{ AUTH_BREAKER_MIN_CALLS: '5', AUTH_BREAKER_WINDOW_SIZE: '4' }, 'AUTH_BREAKER_MIN_CALLS'],
    [{ BREAKER_OPEN_MS: '5000', BREAKER_OPEN_MAX_MS: '1000' }, 'BREAKER_OPEN_MAX_MS'],
    [{ RETRY_MAX_ATTEMPTS: '0' }, 'RETRY_MAX_ATTEMPTS'],
    [{ RETRY_BASE_DELAY_MS: '500', RETRY_MAX_DELAY_MS: '100' }, 'RETRY_MAX_DELAY_MS'],
    [{ RETRY_BUDGET_PERCENT: '150' }, 'RETRY_BUDGET_PERCENT'],
    [{ RETRY_BUDGET_WINDOW_MS: '10' }, 'RETRY_BUDGET_WINDOW_MS'],
    [{ BULKHEAD_QUEUE_SIZE: '-1' }, 'BULKHEAD_QUEUE_SIZE'],
    [{ BULKHEAD_QUEUE_TIMEOUT_MS: '0' }, 'BULKHEAD_QUEUE_TIMEOUT_MS'],
    [{ LOAD_SHED_EVENT_LOOP_DELAY_MS: 'high' }, 'LOAD_SHED_EVENT_LOOP_DELAY_MS'],
    [{ LOAD_SHED_HEAP_PERCENT: '101' }, 'LOAD_SHED_HEAP_PERCENT'],
    [{ LOAD_SHED_SAMPLE_INTERVAL_MS: '1' }, 'LOAD_SHED_SAMPLE_INTERVAL_MS'],
    [{ SHUTDOWN_GRACE_MS: '-5' }, 'SHUTDOWN_GRACE_MS'],
  ];
  for (const [env, variable] of cases) {
    assert.throws(
      () => readGatewayConfig(env),
      (error: unknown) => error instanceof ConfigError && error.variable === variable,
      `${JSON.stringify(env)} was accepted or blamed another variable`,
    );
  }
});

test('retired breaker variables stop start-up with their replacement', () => {
  for (const variable of ['BREAKER_FAILURE_THRESHOLD', 'BREAKER_SUCCESS_THRESHOLD', 'CHAT_BREAKER_FAILURE_THRESHOLD']) {
    assert.throws(
      () => readGatewayConfig({ [variable]: '5' }),
      (error: unknown) => error instanceof ConfigError && error.variable === variable && /BREAKER_/.test(error.message.slice(variable.length)),
      variable,
    );
  }
});
