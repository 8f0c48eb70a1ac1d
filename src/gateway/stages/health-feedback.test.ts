import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UpstreamCall } from '../upstream-call.ts';
import { UpstreamFailure } from '../upstream-errors.ts';
import type { HealthCheckResult } from '../upstream.ts';
import { createHealthFeedbackStage } from './health-feedback.ts';

async function runWith(healthy: boolean, outcome: number | UpstreamFailure): Promise<HealthCheckResult> {
  const health: HealthCheckResult = { healthy, checkedAt: Date.now(), responseTimeMs: 1, errorCode: null, stale: false };
  const call = { upstream: { name: 'chat', health }, statusCode: 0 } as unknown as UpstreamCall;
  const handler = createHealthFeedbackStage()(async (current) => {
    if (outcome instanceof UpstreamFailure) throw outcome;
    current.statusCode = outcome;
  });
  await handler(call).catch(() => {});
  return health;
}

test('health feedback marks a healthy upstream stale when it is unreachable', async () => {
  assert.equal((await runWith(true, new UpstreamFailure('unavailable', 'refused'))).stale, true);
  assert.equal((await runWith(true, new UpstreamFailure('timeout', 'slow'))).stale, true);
});

test('health feedback marks an unhealthy upstream stale when it answers', async () => {
  assert.equal((await runWith(false, 200)).stale, true);
  assert.equal((await runWith(false, 404)).stale, true);
});

test('health feedback leaves results that traffic agrees with', async () => {
  assert.equal((await runWith(true, 200)).stale, false);
  assert.equal((await runWith(true, 500)).stale, false);
  assert.equal((await runWith(false, 503)).stale, false);
  assert.equal((await runWith(false, new UpstreamFailure('unavailable', 'refused'))).stale, false);
  assert.equal((await runWith(true, new UpstreamFailure('client-closed', 'gone'))).stale, false);
});

test('health feedback never sets the result itself', async () => {
  const health = await runWith(false, 200);
  assert.equal(health.healthy, false);
});
