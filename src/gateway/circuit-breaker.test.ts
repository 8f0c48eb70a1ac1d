import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CircuitBreaker, REJECTED, type CircuitTransition } from './circuit-breaker.ts';

/** Creates a breaker on a clock the test moves by hand. */
function breakerAt(settings = { failureThreshold: 3, openMs: 10_000, successThreshold: 1 }) {
  const clock = { now: 1_000_000 };
  const transitions: CircuitTransition[] = [];
  const breaker = new CircuitBreaker(settings, (transition) => transitions.push(transition), () => clock.now);
  return { breaker, clock, transitions };
}

function fail(breaker: CircuitBreaker, times: number): void {
  for (let index = 0; index < times; index += 1) breaker.recordFailure(breaker.tryAcquire(), 'status 500');
}

describe('CircuitBreaker', () => {
  test('opens after the threshold of consecutive failures', () => {
    const { breaker, transitions } = breakerAt();
    fail(breaker, 2);
    assert.equal(breaker.state, 'closed');
    fail(breaker, 1);
    assert.equal(breaker.state, 'open');
    assert.equal(transitions.length, 1);
    assert.equal(transitions[0].from, 'closed');
    assert.equal(transitions[0].to, 'open');
  });

  test('a success resets the consecutive count', () => {
    const { breaker } = breakerAt();
    fail(breaker, 2);
    breaker.recordSuccess(breaker.tryAcquire());
    fail(breaker, 2);
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.snapshot().failures, 2);
  });

  test('fails fast while open, with seconds until half-open', () => {
    const { breaker, clock } = breakerAt();
    fail(breaker, 3);
    assert.equal(breaker.tryAcquire(), REJECTED);
    assert.equal(breaker.retryAfterSeconds(), 10);
    clock.now += 2_500;
    assert.equal(breaker.tryAcquire(), REJECTED);
    assert.equal(breaker.retryAfterSeconds(), 8);
    assert.equal(breaker.snapshot().total_rejected, 2);
  });

  test('half-open lets one probe through and rejects the rest', () => {
    const { breaker, clock } = breakerAt();
    fail(breaker, 3);
    clock.now += 10_000;
    const probe = breaker.tryAcquire();
    assert.notEqual(probe, REJECTED);
    assert.equal(breaker.state, 'half-open');
    assert.equal(breaker.tryAcquire(), REJECTED);
    assert.equal(breaker.tryAcquire(), REJECTED);
  });

  test('a successful probe closes the circuit', () => {
    const { breaker, clock, transitions } = breakerAt();
    fail(breaker, 3);
    clock.now += 10_000;
    breaker.recordSuccess(breaker.tryAcquire());
    assert.equal(breaker.state, 'closed');
    assert.deepEqual(
      transitions.map((transition) => transition.to),
      ['open', 'half-open', 'closed'],
    );
    assert.notEqual(breaker.tryAcquire(), REJECTED);
  });

  test('a failed probe opens the circuit for another period', () => {
    const { breaker, clock } = breakerAt();
    fail(breaker, 3);
    clock.now += 10_000;
    breaker.recordFailure(breaker.tryAcquire(), 'timeout');
    assert.equal(breaker.state, 'open');
    assert.equal(breaker.retryAfterSeconds(), 10);
    assert.equal(breaker.tryAcquire(), REJECTED);
  });

  test('a released probe lets the next call probe', () => {
    const { breaker, clock } = breakerAt();
    fail(breaker, 3);
    clock.now += 10_000;
    breaker.release(breaker.tryAcquire());
    assert.equal(breaker.state, 'half-open');
    assert.notEqual(breaker.tryAcquire(), REJECTED);
  });

  test('outcomes of calls started before a transition are ignored', () => {
    const { breaker, clock } = breakerAt();
    const early = breaker.tryAcquire();
    fail(breaker, 3);
    clock.now += 10_000;
    const probe = breaker.tryAcquire();
    // The early call finishes while the probe runs: it must not close the circuit.
    breaker.recordSuccess(early);
    assert.equal(breaker.state, 'half-open');
    breaker.recordFailure(early, 'status 503');
    assert.equal(breaker.state, 'half-open');
    breaker.recordSuccess(probe);
    assert.equal(breaker.state, 'closed');
  });

  test('successThreshold needs that many probes in a row', () => {
    const { breaker, clock } = breakerAt({ failureThreshold: 1, openMs: 1000, successThreshold: 2 });
    fail(breaker, 1);
    clock.now += 1000;
    breaker.recordSuccess(breaker.tryAcquire());
    assert.equal(breaker.state, 'half-open');
    breaker.recordSuccess(breaker.tryAcquire());
    assert.equal(breaker.state, 'closed');
  });

  test('snapshot shows the last transition with its reason', () => {
    const { breaker } = breakerAt();
    fail(breaker, 3);
    const snapshot = breaker.snapshot();
    assert.equal(snapshot.state, 'open');
    assert.equal(snapshot.total_failures, 3);
    assert.equal(snapshot.last_transition?.to, 'open');
    assert.match(snapshot.last_transition?.reason ?? '', /3 consecutive failures/);
    assert.equal(typeof snapshot.open_until, 'string');
  });
});
