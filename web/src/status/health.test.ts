import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHealth } from './health.ts';

test('health rows come from services', () => {
  const report = parseHealth({
    status: 'degraded',
    gateway: { status: 'healthy', uptime_seconds: 42 },
    services: {
      auth: { status: 'healthy', response_time_ms: 4.2, error: null, circuit: { state: 'closed', failures: 0, failure_threshold: 5 } },
      chat: { status: 'unhealthy', response_time_ms: 1.5, error: 'UPSTREAM_UNAVAILABLE', circuit: { state: 'open', failures: 5, failure_threshold: 5 } },
    },
  });
  assert.equal(report.status, 'degraded');
  assert.equal(report.gatewayUptimeSeconds, 42);
  assert.deepEqual(report.services, [
    { name: 'auth', status: 'healthy', circuit: 'closed', failures: { count: 0, threshold: 5 }, responseTimeMs: 4.2, error: null },
    { name: 'chat', status: 'unhealthy', circuit: 'open', failures: { count: 5, threshold: 5 }, responseTimeMs: 1.5, error: 'UPSTREAM_UNAVAILABLE' },
  ]);
});

test('health tolerates missing fields', () => {
  assert.deepEqual(parseHealth('not json'), { status: 'unknown', gatewayUptimeSeconds: null, services: [] });
  const report = parseHealth({ status: 'healthy', services: { auth: { circuit: 'closed', response_time_ms: 'fast' } } });
  assert.deepEqual(report.services, [{ name: 'auth', status: 'unknown', circuit: 'closed', failures: null, responseTimeMs: null, error: null }]);
});
