import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHealth } from './health.ts';

test('health rows come from services', () => {
  const report = parseHealth({
    status: 'degraded',
    services: {
      auth: { status: 'healthy', circuit: 'closed', response_time_ms: 4.2 },
      chat: { status: 'unhealthy', circuit: { state: 'open' }, response_time_ms: null },
    },
  });
  assert.equal(report.status, 'degraded');
  assert.deepEqual(report.services, [
    { name: 'auth', status: 'healthy', circuit: 'closed', responseTimeMs: 4.2 },
    { name: 'chat', status: 'unhealthy', circuit: 'open', responseTimeMs: null },
  ]);
});

test('health tolerates a body without services', () => {
  assert.deepEqual(parseHealth('not json'), { status: 'unknown', services: [] });
  assert.deepEqual(parseHealth({ status: 'healthy' }), { status: 'healthy', services: [] });
});
