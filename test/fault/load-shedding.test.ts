/**
 * Load shedding in a real gateway: with its heap over the limit or its event
 * loop lagging, it rejects API requests with 503 and Retry-After at once,
 * reaches no backend, and still serves /health.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bearer, eventually, health, startRig, timedFetch, type FaultRig } from './rig.ts';

/** Keeps this process's event loop busy for `totalMs`, in slices of `sliceMs` with a turn of the loop between. */
async function blockEventLoop(totalMs: number, sliceMs: number): Promise<void> {
  const end = performance.now() + totalMs;
  while (performance.now() < end) {
    const sliceEnd = performance.now() + sliceMs;
    while (performance.now() < sliceEnd);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('heap near its limit', () => {
  let rig: FaultRig;
  before(async () => {
    // Any heap in use is over a threshold this low.
    rig = await startRig({ LOAD_SHED_HEAP_PERCENT: '0.001', LOAD_SHED_SAMPLE_INTERVAL_MS: '50' });
  });
  after(() => rig.close());

  test('API requests get 503 with Retry-After and reach no backend', async () => {
    const response = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(response.status, 503);
    assert.equal(response.body.error.code, 'SERVICE_UNAVAILABLE');
    assert.equal(response.headers.get('retry-after'), '1');
    assert.equal(typeof response.body.meta.request_id, 'string');
    const login = await timedFetch(`${rig.url}/api/auth/login`, { method: 'POST', body: '{}' });
    assert.equal(login.status, 503);
    assert.equal(rig.chat.calls.length + rig.auth.calls.length, 0);
  });

  test('/health still answers and shows the shedding', async () => {
    const response = await timedFetch(`${rig.url}/health`);
    assert.equal(response.status, 200);
    assert.equal(response.body.gateway.status, 'degraded');
    assert.equal(response.body.gateway.load.shedding, true);
    assert.ok(response.body.gateway.load.total_shed >= 2);
    assert.equal(response.body.status, 'degraded');
    const started = rig.gateway.logs.lines.filter((line) => line.msg === 'load shedding started');
    assert.equal(started.length, 1);
    assert.match(started[0].reason, /heap/);
  });
});

describe('event loop lag', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({ LOAD_SHED_EVENT_LOOP_DELAY_MS: '30', LOAD_SHED_HEAP_PERCENT: '0', LOAD_SHED_SAMPLE_INTERVAL_MS: '1000' });
  });
  after(() => rig.close());

  test('a lagging loop sheds requests until it recovers', async () => {
    assert.equal((await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) })).status, 200);

    // The gateway runs in this process, so blocking this loop makes its loop lag; the span covers a whole sample.
    await blockEventLoop(2200, 80);
    const shed = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(shed.status, 503);
    assert.equal(shed.body.error.code, 'SERVICE_UNAVAILABLE');
    const report = await timedFetch(`${rig.url}/health`);
    assert.equal(report.status, 200);
    assert.equal(report.body.gateway.load.shedding, true);

    const recovered = await eventually(async () => (await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) })).status === 200, 5000);
    assert.ok(recovered, 'requests were still shed after the loop recovered');
    assert.equal((await health(rig)).gateway.load.shedding, false);
    const messages = rig.gateway.logs.lines.map((line) => line.msg).filter((msg) => msg.startsWith('load shedding'));
    assert.deepEqual(messages, ['load shedding started', 'load shedding stopped']);
  });
});
