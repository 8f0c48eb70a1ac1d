import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CircuitBreaker } from '../circuit-breaker.ts';
import type { UpstreamCall } from '../upstream-call.ts';
import { UpstreamFailure } from '../upstream-errors.ts';
import { createCircuitBreakerStage } from './circuit-breaker.ts';

/** Builds the stage in front of a fake next that ends with `outcome` and counts its calls. */
function stageWith(outcome: number | UpstreamFailure, { headerTime = 5, slowCallCheck = true } = {}) {
  const breaker = new CircuitBreaker({
    windowSize: 4,
    minimumCalls: 2,
    failureRatePercent: 50,
    slowCallMs: 100,
    slowCallRatePercent: 100,
    openMs: 30_000,
    maxOpenMs: 60_000,
    openBackoffMultiplier: 2,
    halfOpenProbes: 1,
  });
  const seen = { calls: 0 };
  const handler = createCircuitBreakerStage()(async (call) => {
    seen.calls += 1;
    if (outcome instanceof UpstreamFailure) throw outcome;
    call.statusCode = outcome;
    call.headerTime = headerTime;
  });
  const run = () => handler({ upstream: { name: 'chat', breaker }, statusCode: 0, headerTime: -1, slowCallCheck } as unknown as UpstreamCall);
  return { breaker, seen, run };
}

test('breaker stage never counts 4xx replies', async () => {
  const { breaker, seen, run } = stageWith(404);
  for (let index = 0; index < 5; index += 1) await run();
  assert.equal(breaker.state, 'closed');
  assert.equal(breaker.snapshot().total_failures, 0);
  assert.equal(seen.calls, 5);
});

test('breaker stage opens on 5xx replies and then fails fast', async () => {
  const { breaker, seen, run } = stageWith(503);
  await run();
  await run();
  assert.equal(breaker.state, 'open');
  await assert.rejects(run(), (error: unknown) => {
    assert.ok(error instanceof UpstreamFailure);
    assert.equal(error.kind, 'circuit-open');
    assert.equal(error.retryAfterSeconds, 30);
    return true;
  });
  assert.equal(seen.calls, 2);
});

test('breaker stage counts timeouts and connection errors', async () => {
  for (const kind of ['timeout', 'unavailable', 'bad-response'] as const) {
    const { breaker, run } = stageWith(new UpstreamFailure(kind, kind));
    await assert.rejects(run());
    await assert.rejects(run());
    assert.equal(breaker.state, 'open', `${kind} did not count`);
  }
});

test('breaker stage ignores calls the client cancelled or the bulkhead rejected', async () => {
  for (const kind of ['client-closed', 'bulkhead-full'] as const) {
    const { breaker, run } = stageWith(new UpstreamFailure(kind, kind));
    for (let index = 0; index < 4; index += 1) await assert.rejects(run());
    assert.equal(breaker.state, 'closed', `${kind} counted`);
    assert.equal(breaker.snapshot().total_failures, 0);
  }
});

test('breaker stage counts slow replies unless the route opts out', async () => {
  const slow = stageWith(200, { headerTime: 150 });
  await slow.run();
  await slow.run();
  assert.equal(slow.breaker.state, 'open');

  const exempt = stageWith(200, { headerTime: 150, slowCallCheck: false });
  for (let index = 0; index < 4; index += 1) await exempt.run();
  assert.equal(exempt.breaker.state, 'closed');
});
