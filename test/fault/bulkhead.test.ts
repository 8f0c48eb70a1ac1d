/**
 * The bulkhead through a real gateway: a hung backend takes at most its
 * share of calls, further calls wait briefly or fail at once, and the other
 * upstream keeps responding.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { everyCall, type SeenRequest } from './fault-backend.ts';
import { bearer, health, startRig, timedFetch, type FaultRig } from './rig.ts';

/** Returns the maximum number of requests the backend was working on at the same time. */
function peakConcurrency(requests: SeenRequest[]): number {
  let peak = 0;
  for (const request of requests) {
    const at = request.receivedAt;
    const active = requests.filter((other) => other.receivedAt <= at && (other.finishedAt ?? other.closedEarlyAt ?? Infinity) > at).length;
    peak = Math.max(peak, active);
  }
  return peak;
}

describe('bulkhead full', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({ CHAT_UPSTREAM_CONNECTIONS: '2', CHAT_BULKHEAD_QUEUE_SIZE: '1', BULKHEAD_QUEUE_TIMEOUT_MS: '3000' });
    rig.chat.fault = everyCall({ kind: 'pass', delayMs: 600 });
  });
  after(() => rig.close());

  test('two calls run, one waits, the rest get 503 at once', async () => {
    const pending = Array.from({ length: 6 }, () => timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) }));
    // Meanwhile the auth upstream has its own bulkhead and responds at once.
    const profile = await timedFetch(`${rig.url}/api/auth/profile`, { headers: bearer(rig) });
    assert.equal(profile.status, 200);
    assert.ok(profile.elapsedMs < 300, `auth took ${profile.elapsedMs} ms while chat was saturated`);

    const responses = await Promise.all(pending);
    const rejected = responses.filter((response) => response.status === 503);
    const served = responses.filter((response) => response.status === 200);
    assert.equal(rejected.length, 3);
    assert.equal(served.length, 3);
    for (const response of rejected) {
      assert.equal(response.body.error.code, 'UPSTREAM_UNAVAILABLE');
      assert.equal(response.headers.get('retry-after'), '1');
      assert.ok(response.elapsedMs < 300, `a rejection took ${response.elapsedMs} ms`);
    }
    // The queued call started once a slot was free, so it took about two backend delays.
    assert.ok(Math.max(...served.map((response) => response.elapsedMs)) >= 1150);
    assert.equal(peakConcurrency(rig.chat.calls), 2);
    assert.equal(rig.chat.calls.length, 3);
  });

  test('rejections never count against the circuit', async () => {
    const chat = (await health(rig)).services.chat;
    assert.equal(chat.circuit.total_failures, 0);
    assert.equal(chat.circuit.state, 'closed');
    assert.equal(chat.bulkhead.total_rejected, 3);
    assert.equal(chat.bulkhead.max_concurrent, 2);
    assert.equal((await health(rig)).services.auth.bulkhead.max_concurrent, 128);
  });
});

describe('bulkhead queue timeout', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({ UPSTREAM_CONNECTIONS: '1', BULKHEAD_QUEUE_SIZE: '4', BULKHEAD_QUEUE_TIMEOUT_MS: '200' });
    rig.chat.fault = everyCall({ kind: 'hang' });
  });
  after(() => rig.close());

  test('a queued call gives up after the queue timeout', async () => {
    // Cut when the gateway closes; only the queued call matters here.
    const hung = timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) }).catch(() => null);
    await rig.chat.waitFor(() => rig.chat.calls.length === 1);
    const queued = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(queued.status, 503);
    assert.ok(queued.elapsedMs >= 190, `gave up after ${queued.elapsedMs} ms`);
    assert.ok(queued.elapsedMs < 1000, `gave up after ${queued.elapsedMs} ms`);
    assert.equal(rig.chat.calls.length, 1);
    await rig.gateway.close();
    await hung;
  });
});
