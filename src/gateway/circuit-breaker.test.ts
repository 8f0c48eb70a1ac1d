import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CircuitBreaker, REJECTED, type CircuitTransition } from './circuit-breaker.ts';
import type { BreakerSettings } from './resilience-config.ts';

const SETTINGS: BreakerSettings = {
  windowSize: 10,
  minimumCalls: 4,
  failureRatePercent: 50,
  slowCallMs: 1000,
  slowCallRatePercent: 80,
  openMs: 10_000,
  maxOpenMs: 60_000,
  openBackoffMultiplier: 2,
  halfOpenProbes: 1,
};

/** Creates a breaker on a clock the test moves by hand. */
function breakerAt(overrides: Partial<BreakerSettings> = {}) {
  const clock = { now: 1_000_000 };
  const transitions: CircuitTransition[] = [];
  const breaker = new CircuitBreaker({ ...SETTINGS, ...overrides }, (transition) => transitions.push(transition), () => clock.now);
  return { breaker, clock, transitions };
}

function fail(breaker: CircuitBreaker, times: number): void {
  for (let index = 0; index < times; index += 1) breaker.recordFailure(breaker.tryAcquire(), 'status 500');
}

function succeed(breaker: CircuitBreaker, times: number, headerTimeMs: number | null = 5): void {
  for (let index = 0; index < times; index += 1) breaker.recordSuccess(breaker.tryAcquire(), headerTimeMs);
}

/** Trips the breaker and moves the clock to the end of its wait. */
function openAndWait(breaker: CircuitBreaker, clock: { now: number }): void {
  fail(breaker, SETTINGS.minimumCalls);
  assert.equal(breaker.state, 'open');
  clock.now += 60_000;
}

describe('CircuitBreaker closed', () => {
  test('stays closed below the minimum number of calls', () => {
    const { breaker } = breakerAt();
    fail(breaker, 3);
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.snapshot().window.failure_rate, null);
  });

  test('opens when the failure rate reaches the threshold', () => {
    const { breaker, transitions } = breakerAt();
    succeed(breaker, 2);
    fail(breaker, 1);
    assert.equal(breaker.state, 'closed');
    fail(breaker, 1);
    assert.equal(breaker.state, 'open');
    assert.equal(transitions.length, 1);
    assert.equal(transitions[0].from, 'closed');
    assert.match(transitions[0].reason, /failure rate 50% of the last 4 calls, threshold 50%, last: status 500/);
  });

  test('a failure rate under the threshold keeps it closed', () => {
    const { breaker } = breakerAt();
    for (let round = 0; round < 5; round += 1) {
      succeed(breaker, 2);
      fail(breaker, 1);
    }
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.snapshot().window.calls, 10);
  });

  test('old outcomes leave the sliding window', () => {
    const { breaker } = breakerAt();
    succeed(breaker, 6);
    fail(breaker, 4);
    assert.equal(breaker.snapshot().window.failure_rate, 40);
    succeed(breaker, 10);
    assert.equal(breaker.snapshot().window.failures, 0);
    fail(breaker, 4);
    assert.equal(breaker.state, 'closed', '4 failures of 10 opened a 50% circuit');
    fail(breaker, 1);
    assert.equal(breaker.state, 'open');
  });

  test('opens when too many calls are slow', () => {
    const { breaker, transitions } = breakerAt();
    succeed(breaker, 1, 10);
    succeed(breaker, 4, 1500);
    assert.equal(breaker.state, 'open');
    assert.match(transitions[0].reason, /80% of the last 5 calls slower than 1000 ms/);
    assert.equal(breaker.snapshot().total_slow_calls, 4);
  });

  test('calls without a duration never count as slow', () => {
    const { breaker } = breakerAt();
    succeed(breaker, 10, null);
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.snapshot().window.slow_calls, 0);
  });
});

describe('CircuitBreaker open', () => {
  test('fails fast, with seconds until half-open', () => {
    const { breaker, clock } = breakerAt();
    fail(breaker, 4);
    assert.equal(breaker.tryAcquire(), REJECTED);
    assert.equal(breaker.retryAfterSeconds(), 10);
    clock.now += 2_500;
    assert.equal(breaker.tryAcquire(), REJECTED);
    assert.equal(breaker.retryAfterSeconds(), 8);
    assert.equal(breaker.snapshot().total_rejected, 2);
    assert.equal(typeof breaker.snapshot().open_until, 'string');
  });

  test('wait doubles per trip up to the cap', () => {
    const { breaker, clock } = breakerAt({ maxOpenMs: 30_000 });
    const waits: number[] = [];
    fail(breaker, 4);
    for (let trip = 0; trip < 4; trip += 1) {
      waits.push(breaker.retryAfterSeconds());
      clock.now += 60_000;
      breaker.recordFailure(breaker.tryAcquire(), 'timeout');
    }
    assert.deepEqual(waits, [10, 20, 30, 30]);
    assert.equal(breaker.snapshot().consecutive_opens, 5);

    clock.now += 60_000;
    succeed(breaker, 1);
    assert.equal(breaker.state, 'closed');
    fail(breaker, 4);
    assert.equal(breaker.retryAfterSeconds(), 10);
  });
});

describe('CircuitBreaker half-open', () => {
  test('lets exactly the permitted probes through and rejects the rest', () => {
    const { breaker, clock } = breakerAt({ halfOpenProbes: 3 });
    openAndWait(breaker, clock);
    const tickets = [breaker.tryAcquire(), breaker.tryAcquire(), breaker.tryAcquire()];
    assert.equal(breaker.state, 'half-open');
    for (const ticket of tickets) assert.notEqual(ticket, REJECTED);
    assert.equal(breaker.tryAcquire(), REJECTED);
    assert.equal(breaker.tryAcquire(), REJECTED);
    assert.deepEqual(breaker.snapshot().half_open_probes, { permitted: 3, started: 3, succeeded: 0 });
  });

  test('closes only when every permitted probe succeeded', () => {
    const { breaker, clock, transitions } = breakerAt({ halfOpenProbes: 2 });
    openAndWait(breaker, clock);
    const first = breaker.tryAcquire();
    const second = breaker.tryAcquire();
    breaker.recordSuccess(first, 5);
    assert.equal(breaker.state, 'half-open');
    breaker.recordSuccess(second, 5);
    assert.equal(breaker.state, 'closed');
    assert.deepEqual(
      transitions.map((transition) => transition.to),
      ['open', 'half-open', 'closed'],
    );
    assert.notEqual(breaker.tryAcquire(), REJECTED);
  });

  test('one failed probe opens the circuit again', () => {
    const { breaker, clock } = breakerAt({ halfOpenProbes: 3 });
    openAndWait(breaker, clock);
    const first = breaker.tryAcquire();
    const second = breaker.tryAcquire();
    breaker.recordSuccess(first, 5);
    breaker.recordFailure(second, 'timeout');
    assert.equal(breaker.state, 'open');
    assert.equal(breaker.retryAfterSeconds(), 20);
    assert.equal(breaker.tryAcquire(), REJECTED);
  });

  test('a slow probe opens the circuit again', () => {
    const { breaker, clock, transitions } = breakerAt();
    openAndWait(breaker, clock);
    breaker.recordSuccess(breaker.tryAcquire(), 2500);
    assert.equal(breaker.state, 'open');
    assert.match(transitions.at(-1)!.reason, /probe took 2500 ms/);
  });

  test('a released probe frees its slot', () => {
    const { breaker, clock } = breakerAt();
    openAndWait(breaker, clock);
    breaker.release(breaker.tryAcquire());
    assert.equal(breaker.state, 'half-open');
    assert.notEqual(breaker.tryAcquire(), REJECTED);
  });

  test('outcomes of calls started before a transition are ignored', () => {
    const { breaker, clock } = breakerAt();
    const early = breaker.tryAcquire();
    openAndWait(breaker, clock);
    const probe = breaker.tryAcquire();
    // The early call finishes while the probe runs: it must not close or reopen the circuit.
    breaker.recordSuccess(early, 5);
    assert.equal(breaker.state, 'half-open');
    breaker.recordFailure(early, 'status 503');
    assert.equal(breaker.state, 'half-open');
    breaker.recordSuccess(probe, 5);
    assert.equal(breaker.state, 'closed');
  });
});

describe('CircuitBreaker probes from health checks', () => {
  test('a passing check after the wait counts as one probe', () => {
    const { breaker, clock } = breakerAt({ halfOpenProbes: 2 });
    fail(breaker, 4);
    breaker.recordProbeSuccess();
    assert.equal(breaker.state, 'open', 'a check before the wait was over changed the state');
    clock.now += 60_000;
    breaker.recordProbeSuccess();
    assert.equal(breaker.state, 'half-open');
    breaker.recordProbeSuccess();
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.snapshot().total_rejected, 0);
  });

  test('a failing check opens a half-open circuit and leaves a closed one', () => {
    const { breaker, clock } = breakerAt({ halfOpenProbes: 2 });
    breaker.recordProbeFailure('UPSTREAM_UNAVAILABLE');
    assert.equal(breaker.state, 'closed');
    openAndWait(breaker, clock);
    breaker.recordSuccess(breaker.tryAcquire(), 5);
    breaker.recordProbeFailure('UPSTREAM_UNAVAILABLE');
    assert.equal(breaker.state, 'open');
  });
});

test('snapshot shows the window and the last transition with its reason', () => {
  const { breaker } = breakerAt();
  succeed(breaker, 1);
  fail(breaker, 3);
  const snapshot = breaker.snapshot();
  assert.equal(snapshot.state, 'open');
  assert.equal(snapshot.total_failures, 3);
  assert.equal(snapshot.last_transition?.to, 'open');
  assert.match(snapshot.last_transition?.reason ?? '', /failure rate 75%/);
  // A transition clears the window, like resilience4j's reset of its metrics.
  assert.equal(snapshot.window.calls, 0);
});
