/**
 * The circuit breaker against a real gateway and a fault backend: a storm of
 * 500s, slow replies, the half-open probes under concurrent requests, a
 * failed probe, a flapping backend, and recovery seen by the health checks
 * alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestClock } from '../../src/common/test-support.ts';
import { everyCall, type Fault } from './fault-backend.ts';
import { accessLines, bearer, eventually, health, startRig, timedFetch, type FaultRig } from './rig.ts';

const SERVER_ERROR: Fault = { kind: 'reply', status: 500 };

/** Sends `count` GET /api/chat/history requests one after another and returns their statuses. */
async function historyStatuses(rig: FaultRig, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let index = 0; index < count; index += 1) statuses.push((await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) })).status);
  return statuses;
}

/** Counts the gateway's finished health checks of the chat backend that did not pass. */
function failedHealthChecks(rig: FaultRig): number {
  const messages = ['health check returned a status other than 200', 'health check failed'];
  return rig.gateway.logs.lines.filter((line) => messages.includes(line.msg) && line.upstream === 'chat').length;
}

function transitions(rig: FaultRig, message: string): Record<string, any>[] {
  return rig.gateway.logs.lines.filter((line) => line.msg === message && line.upstream === 'chat');
}

describe('storm of 500s', () => {
  let rig: FaultRig;
  const clock = new TestClock();
  before(async () => {
    rig = await startRig({ BREAKER_WINDOW_SIZE: '10', BREAKER_MIN_CALLS: '5', BREAKER_OPEN_MS: '600', BREAKER_HALF_OPEN_PROBES: '3' }, {}, { breakerClock: clock.now });
    // Health checks fail throughout, so every probe in this suite is a user request.
    rig.chat.fault = () => SERVER_ERROR;
  });
  after(() => rig.close());

  /**
   * Ends the open period and waits for the gateway's pending follow-up health check. That check fails
   * while the circuit is still open, so it changes nothing and schedules no other check. No failed check
   * can then reopen the circuit while the test's probes run.
   */
  async function endOpenPeriod(): Promise<void> {
    const checksBefore = failedHealthChecks(rig);
    clock.advance(600);
    assert.ok(await eventually(() => failedHealthChecks(rig) > checksBefore), 'the follow-up health check never ran');
  }

  test('opens after the minimum calls and then fails fast without the backend', async () => {
    assert.deepEqual(await historyStatuses(rig, 5), [500, 500, 500, 500, 500]);
    const reached = rig.chat.calls.length;
    assert.equal(reached, 5);

    const rejected = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(rejected.status, 503);
    assert.equal(rejected.body.error.code, 'UPSTREAM_UNAVAILABLE');
    assert.equal(rejected.headers.get('retry-after'), '1');

    const fastFails = await historyStatuses(rig, 50);
    assert.ok(fastFails.every((status) => status === 503));
    assert.equal(rig.chat.calls.length, reached, 'an open circuit let a call through');

    // Gateway time of the rejections, from the access log; the benchmark measures it precisely.
    const times = accessLines(rig)
      .filter((line) => line.statusCode === 503 && line.url === '/api/chat/history')
      .map((line) => line.responseTime as number)
      .sort((a, b) => a - b);
    assert.equal(times.length, 51);
    assert.ok(times[25] < 5, `median fail-fast time ${times[25]} ms`);

    const opened = transitions(rig, 'circuit breaker opened');
    assert.equal(opened.length, 1, 'the opening was not logged exactly once');
    assert.match(opened[0].reason, /failure rate 100% of the last 5 calls/);
    const report = await health(rig);
    assert.equal(report.services.chat.circuit.state, 'open');
    assert.equal(report.services.chat.circuit.consecutive_opens, 1);
    assert.equal(report.services.chat.circuit.last_transition.to, 'open');
    assert.equal(report.services.chat.status, 'unhealthy');
  });

  test('half-open lets exactly the permitted probes reach the backend', async () => {
    await endOpenPeriod();
    rig.chat.fault = (request) => (request.url === '/health' ? SERVER_ERROR : { kind: 'pass', delayMs: 300 });
    const before = rig.chat.calls.length;
    const responses = await Promise.all(Array.from({ length: 20 }, () => timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) })));

    assert.equal(rig.chat.calls.length - before, 3, 'the backend did not see exactly 3 probes');
    const passed = responses.filter((response) => response.status === 200);
    const rejected = responses.filter((response) => response.status === 503);
    assert.equal(passed.length, 3);
    assert.equal(rejected.length, 17);
    for (const response of rejected) {
      assert.ok(response.elapsedMs < 250, `a rejection waited ${response.elapsedMs} ms for the probes`);
      assert.equal(response.headers.get('retry-after'), '1');
    }

    const report = await health(rig);
    assert.equal(report.services.chat.circuit.state, 'closed');
    assert.equal(report.services.chat.circuit.consecutive_opens, 0);
    assert.equal(transitions(rig, 'circuit breaker half-open').length, 1);
    assert.equal(transitions(rig, 'circuit breaker closed').length, 1);
    assert.deepEqual(await historyStatuses(rig, 3), [200, 200, 200]);
  });

  test('a failed probe opens the circuit again for a longer wait', async () => {
    rig.chat.fault = () => SERVER_ERROR;
    await historyStatuses(rig, 5);
    await endOpenPeriod();
    const probe = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(probe.status, 500, 'the probe did not reach the backend');

    const report = await health(rig);
    const circuit = report.services.chat.circuit;
    assert.equal(circuit.state, 'open');
    assert.equal(circuit.consecutive_opens, 2);
    assert.match(circuit.last_transition.reason, /probe failed: status 500/);
    const waitMs = Date.parse(circuit.open_until) - Date.parse(circuit.last_transition.at);
    assert.equal(waitMs, 1200, 'the second wait is not twice the first');
  });
});

describe('slow backend', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({ BREAKER_WINDOW_SIZE: '4', BREAKER_MIN_CALLS: '4', BREAKER_SLOW_CALL_MS: '100', BREAKER_SLOW_CALL_RATE: '75', BREAKER_OPEN_MS: '5000' });
    rig.chat.fault = everyCall({ kind: 'pass', delayMs: 200 });
  });
  after(() => rig.close());

  test('too many slow replies open the circuit', async () => {
    assert.deepEqual(await historyStatuses(rig, 4), [200, 200, 200, 200]);
    const rejected = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(rejected.status, 503);
    assert.equal(rig.chat.calls.length, 4);
    assert.match(transitions(rig, 'circuit breaker opened')[0].reason, /100% of the last 4 calls slower than 100 ms/);
  });

  test('the slow calls show on /health', async () => {
    const report = await health(rig);
    assert.equal(report.services.chat.circuit.total_slow_calls, 4);
  });
});

describe('slow chat messages', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({ BREAKER_WINDOW_SIZE: '3', BREAKER_MIN_CALLS: '3', BREAKER_SLOW_CALL_MS: '50', BREAKER_SLOW_CALL_RATE: '50' });
    rig.chat.fault = everyCall({ kind: 'reply', status: 201, body: '{}', delayMs: 150 });
  });
  after(() => rig.close());

  test('a generated reply never counts as a slow call', async () => {
    for (let index = 0; index < 4; index += 1) {
      const response = await timedFetch(`${rig.url}/api/chat/message`, { method: 'POST', headers: bearer(rig), body: '{"message":"hi"}' });
      assert.equal(response.status, 201);
    }
    const circuit = (await health(rig)).services.chat.circuit;
    assert.equal(circuit.state, 'closed');
    assert.equal(circuit.total_slow_calls, 0);
  });
});

describe('flapping backend', () => {
  let rig: FaultRig;
  const clock = new TestClock();
  before(async () => {
    rig = await startRig({ BREAKER_WINDOW_SIZE: '4', BREAKER_MIN_CALLS: '4', BREAKER_OPEN_MS: '200', BREAKER_HALF_OPEN_PROBES: '1' }, {}, { breakerClock: clock.now });
  });
  after(() => rig.close());

  test('each cycle opens and closes the circuit, each transition logged once', async () => {
    for (let cycle = 0; cycle < 3; cycle += 1) {
      rig.chat.fault = everyCall(SERVER_ERROR);
      await historyStatuses(rig, 4);
      assert.equal((await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) })).status, 503, `cycle ${cycle} did not open`);
      rig.chat.fault = everyCall({ kind: 'pass' });
      clock.advance(200);
      assert.deepEqual(await historyStatuses(rig, 2), [200, 200], `cycle ${cycle} did not close`);
      // Closing resets the wait, so every cycle waits the base time.
      assert.equal((await health(rig)).services.chat.circuit.consecutive_opens, 0);
    }
    assert.equal(transitions(rig, 'circuit breaker opened').length, 3);
    assert.equal(transitions(rig, 'circuit breaker half-open').length, 3);
    assert.equal(transitions(rig, 'circuit breaker closed').length, 3);
  });
});

describe('recovery without user traffic', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({
      HEALTH_CHECK_INTERVAL_MS: '100',
      BREAKER_WINDOW_SIZE: '4',
      BREAKER_MIN_CALLS: '4',
      BREAKER_OPEN_MS: '300',
      BREAKER_HALF_OPEN_PROBES: '2',
      RETRY_MAX_ATTEMPTS: '1',
    });
  });
  after(() => rig.close());

  test('the health checks close the circuit once the backend is back', async () => {
    await rig.chat.refuse();
    assert.deepEqual(await historyStatuses(rig, 4), [503, 503, 503, 503]);
    assert.equal((await health(rig)).services.chat.circuit.state, 'open');

    await rig.chat.accept();
    const callsBefore = rig.chat.calls.length;
    const closed = await eventually(async () => (await health(rig)).services.chat.circuit.state === 'closed', 5000);
    assert.ok(closed, 'the circuit stayed open with the backend back');
    assert.equal(rig.chat.calls.length, callsBefore, 'user traffic reached the backend');
    assert.match(transitions(rig, 'circuit breaker closed')[0].reason, /2 probes succeeded/);
  });
});

describe('recovery between the regular health checks', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({
      HEALTH_CHECK_INTERVAL_MS: '3000',
      BREAKER_WINDOW_SIZE: '4',
      BREAKER_MIN_CALLS: '4',
      BREAKER_OPEN_MS: '300',
      BREAKER_HALF_OPEN_PROBES: '3',
      RETRY_MAX_ATTEMPTS: '1',
    });
    // The first regular check has run; the next is 3 s away.
    await eventually(async () => (await health(rig)).services.chat.status === 'healthy');
  });
  after(() => rig.close());

  test('health checks close the circuit early', async () => {
    rig.chat.fault = everyCall(SERVER_ERROR);
    await historyStatuses(rig, 4);
    const checksBefore = rig.chat.requests.length - rig.chat.calls.length;
    rig.chat.fault = everyCall({ kind: 'pass' });
    // Reading /health checks only when its result is stale, so this poll adds no probes of its own.
    const started = performance.now();
    const closed = await eventually(async () => (await health(rig)).services.chat.circuit.state === 'closed', 2500);
    assert.ok(closed, 'the circuit waited for the regular health checks');
    assert.ok(performance.now() - started < 2500);
    const checks = rig.chat.requests.length - rig.chat.calls.length - checksBefore;
    assert.ok(checks >= 3, `${checks} health checks closed a circuit that needs 3 probes`);
  });
});
