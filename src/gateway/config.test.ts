import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../common/config.ts';
import { readGatewayConfig } from './config.ts';

test('gateway config defaults', () => {
  const config = readGatewayConfig({});
  assert.equal(config.port, 4000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.authServiceUrl, 'http://127.0.0.1:5000');
  assert.equal(config.chatServiceUrl, 'http://127.0.0.1:8000');
  assert.equal(config.upstreams.auth.timeoutMs, 10_000);
  assert.equal(config.chatMessageTimeoutMs, 35_000);
  assert.equal(config.healthCheckIntervalMs, 5000);
  assert.equal(config.upstreams.chat.breaker.failureRatePercent, 50);
  assert.equal(config.shutdownGraceMs, 10_000);
  assert.match(config.webRoot, /web[/\\]dist$/);
});

test('gateway config reads each variable', () => {
  const config = readGatewayConfig({
    PORT: '0',
    AUTH_SERVICE_URL: 'http://auth.internal:5001/',
    UPSTREAM_TIMEOUT_MS: '2500',
    DASHBOARD_PART_TIMEOUT_MS: '700',
    BREAKER_FAILURE_RATE: '30',
    BREAKER_OPEN_MS: '500',
    HEALTH_CHECK_INTERVAL_MS: '250',
    TRUST_FORWARDED_HEADERS: 'true',
  });
  assert.equal(config.port, 0);
  assert.equal(config.authServiceUrl, 'http://auth.internal:5001');
  assert.equal(config.upstreams.auth.timeoutMs, 2500);
  assert.equal(config.upstreams.chat.timeoutMs, 2500);
  assert.equal(config.dashboardPartTimeoutMs, 700);
  assert.equal(config.upstreams.auth.breaker.failureRatePercent, 30);
  assert.equal(config.upstreams.chat.breaker.openMs, 500);
  assert.equal(config.healthCheckIntervalMs, 250);
  assert.equal(config.trustForwardedHeaders, true);
});

test('gateway config names the invalid variable', () => {
  const cases: Record<string, string> = {
    PORT: '70000',
    LOG_LEVEL: 'loud',
    AUTH_SERVICE_URL: 'ftp://auth',
    CHAT_SERVICE_URL: 'http://chat.internal/api',
    UPSTREAM_CONNECTIONS: '0',
    UPSTREAM_CONNECT_TIMEOUT_MS: 'soon',
    UPSTREAM_TIMEOUT_MS: '0',
    CHAT_MESSAGE_TIMEOUT_MS: 'long',
    UPSTREAM_BODY_TIMEOUT_MS: '-1',
    DASHBOARD_PART_TIMEOUT_MS: '1.5',
    BREAKER_FAILURE_RATE: '0',
    BREAKER_OPEN_MS: '0',
    BREAKER_HALF_OPEN_PROBES: '1000',
    HEALTH_CHECK_INTERVAL_MS: '5',
    HEALTH_CHECK_TIMEOUT_MS: '0',
    TOKEN_CACHE_SIZE: '-5',
    BODY_LIMIT_BYTES: '0',
    TRUST_FORWARDED_HEADERS: 'maybe',
  };
  for (const [name, value] of Object.entries(cases)) {
    assert.throws(
      () => readGatewayConfig({ [name]: value }),
      (error: unknown) => error instanceof ConfigError && error.variable === name,
      `${name}=${value} was accepted`,
    );
  }
});
