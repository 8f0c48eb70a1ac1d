/**
 * Retries through a real gateway: a safe method is sent again after a reset
 * or a 503, a POST never is, retries stay inside the deadline, and the retry
 * budget keeps a storm of 503s from multiplying the load.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { everyCall } from './fault-backend.ts';
import { accessLines, bearer, health, startRig, timedFetch, type FaultRig } from './rig.ts';

describe('safe methods', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({ RETRY_BASE_DELAY_MS: '5', RETRY_MAX_DELAY_MS: '20' });
  });
  after(() => rig.close());

  test('a GET whose connection was reset is sent again', async () => {
    let resets = 0;
    rig.chat.fault = everyCall(() => (resets++ === 0 ? { kind: 'reset' } : { kind: 'pass' }));
    const response = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig, { 'x-request-id': 'retry-1' }) });
    assert.equal(response.status, 200);
    assert.equal(rig.chat.calls.length, 2);
    const line = accessLines(rig).find((entry) => entry.reqId === 'retry-1');
    assert.equal(line?.upstreamAttempts, 2);
    assert.equal(rig.gateway.logs.lines.filter((entry) => entry.msg === 'retrying upstream request' && entry.reqId === 'retry-1').length, 1);
  });

  test('a GET after a 503 is retried', async () => {
    const before = rig.chat.calls.length;
    let replies = 0;
    rig.chat.fault = everyCall(() => (replies++ === 0 ? { kind: 'reply', status: 503 } : { kind: 'pass' }));
    const response = await timedFetch(`${rig.url}/api/chat/conversations`, { headers: bearer(rig) });
    assert.equal(response.status, 200);
    assert.equal(rig.chat.calls.length - before, 2);
  });

  test('a 503 with Retry-After passes through unretried', async () => {
    const before = rig.chat.calls.length;
    rig.chat.fault = everyCall({ kind: 'reply', status: 503, headers: { 'retry-after': '7' } });
    const response = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '7');
    assert.equal(rig.chat.calls.length - before, 1);
  });

  test('500 and 501 are never retried', async () => {
    for (const status of [500, 501]) {
      const before = rig.chat.calls.length;
      rig.chat.fault = everyCall({ kind: 'reply', status });
      const response = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
      assert.equal(response.status, status);
      assert.equal(rig.chat.calls.length - before, 1, `status ${status} was retried`);
    }
  });
});

describe('POST', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({ RETRY_BASE_DELAY_MS: '5' });
  });
  after(() => rig.close());

  test('a POST on a kept-alive connection that is reset reaches the backend once', async () => {
    // A first request leaves an idle kept-alive connection in the pool for the POST to reuse.
    assert.equal((await timedFetch(`${rig.url}/api/auth/profile`, { headers: bearer(rig) })).status, 200);
    const earlierSockets = new Set(rig.auth.requests.map((request) => request.socketId));

    rig.auth.fault = everyCall((request) => (request.method === 'POST' ? { kind: 'reset' } : { kind: 'pass' }));
    const response = await timedFetch(`${rig.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":"ada","password":"correct horse battery"}',
    });
    assert.equal(response.status, 503);
    const posts = rig.auth.calls.filter((request) => request.method === 'POST');
    assert.equal(posts.length, 1, 'the POST was replayed');
    assert.ok(earlierSockets.has(posts[0].socketId), 'the POST did not reuse a kept-alive connection');
  });

  test('a POST that got a 503 is not sent again', async () => {
    rig.auth.fault = everyCall({ kind: 'reply', status: 503 });
    const before = rig.auth.calls.length;
    const response = await timedFetch(`${rig.url}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(response.status, 503);
    assert.equal(rig.auth.calls.length - before, 1);
  });
});

describe('retries and the deadline', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({
      UPSTREAM_TIMEOUT_MS: '400',
      RETRY_MAX_ATTEMPTS: '10',
      RETRY_BASE_DELAY_MS: '60',
      RETRY_MAX_DELAY_MS: '60',
      BREAKER_WINDOW_SIZE: '1000',
      BREAKER_MIN_CALLS: '1000',
    });
  });
  after(() => rig.close());

  test('a reset backend gets a few tries, all inside the deadline', async () => {
    rig.chat.fault = everyCall({ kind: 'reset' });
    const response = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(response.status, 503);
    assert.ok(response.elapsedMs < 1000, `took ${response.elapsedMs} ms with a 400 ms deadline`);
    const attempts = rig.chat.calls;
    assert.ok(attempts.length >= 2, 'no retry happened');
    assert.ok(attempts.length <= 10, `${attempts.length} attempts, over RETRY_MAX_ATTEMPTS`);
    const lastStart = attempts.at(-1)!.receivedAt - attempts[0].receivedAt;
    assert.ok(lastStart < 400, `an attempt started ${lastStart} ms after the first, past the deadline`);
  });

  test('a retry that hangs ends at the deadline with 504, and is closed', async () => {
    const before = rig.chat.calls.length;
    let calls = 0;
    rig.chat.fault = everyCall(() => (calls++ === 0 ? { kind: 'reset' } : { kind: 'hang' }));
    const response = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(response.status, 504);
    assert.ok(response.elapsedMs >= 390, `took ${response.elapsedMs} ms`);
    assert.ok(response.elapsedMs < 1500, `took ${response.elapsedMs} ms`);
    const hung = rig.chat.calls[before + 1];
    assert.ok(hung, 'the retry never reached the backend');
    assert.ok(await rig.chat.waitFor(() => hung.closedEarlyAt !== null, 1000), 'the hung retry was never closed');
  });
});

describe('retry budget', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({
      RETRY_BUDGET_PERCENT: '20',
      RETRY_BUDGET_MIN_RETRIES: '5',
      RETRY_MAX_ATTEMPTS: '3',
      RETRY_BASE_DELAY_MS: '1',
      RETRY_MAX_DELAY_MS: '2',
      // Keeps the circuit closed, so every request tries the backend.
      BREAKER_WINDOW_SIZE: '1000',
      BREAKER_MIN_CALLS: '1000',
    });
    rig.chat.fault = everyCall({ kind: 'reply', status: 503 });
  });
  after(() => rig.close());

  test('a storm of 503s adds at most the budget in retries', async () => {
    const requests = 100;
    for (let batch = 0; batch < requests / 10; batch += 1) {
      await Promise.all(Array.from({ length: 10 }, () => timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) })));
    }
    const attempts = rig.chat.calls.length;
    // Without a budget each request would make 3 attempts: 300 in all.
    assert.ok(attempts <= requests + requests * 0.2 + 5, `${attempts} attempts for ${requests} requests`);
    assert.ok(attempts > requests, 'no request was retried');
    const budget = (await health(rig)).services.chat.retry_budget;
    assert.ok(budget.total_denied > 0);
    assert.equal(budget.retries, attempts - requests);
  });
});
