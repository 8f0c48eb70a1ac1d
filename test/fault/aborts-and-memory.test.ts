/**
 * Client aborts and a long run of failures: a client that goes away cancels
 * its upstream request, and after 2000 aborted, timed-out, reset and failed
 * requests the gateway's heap, connections and bulkhead slots are back near
 * where they started.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { everyCall, type Fault } from './fault-backend.ts';
import { bearer, eventually, health, sleep, startRig, type FaultRig } from './rig.ts';

/** Node's gc(), reached without the --expose-gc flag the test runner does not pass. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Sends one GET and destroys it after `abortAfterMs`, or reads it whole; resolves with the status, 0 when aborted or cut. */
function get(url: string, headers: Record<string, string>, abortAfterMs?: number): Promise<number> {
  return new Promise((resolve) => {
    const request = httpRequest(url, { headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', () => resolve(0));
      response.on('aborted', () => resolve(0));
    });
    request.on('error', () => resolve(0));
    request.on('close', () => resolve(0));
    request.end();
    if (abortAfterMs !== undefined) setTimeout(() => request.destroy(), abortAfterMs);
  });
}

function clientConnections(rig: FaultRig): Promise<number> {
  return new Promise((resolve) => rig.gateway.gateway.app.server.getConnections((_error, count) => resolve(count)));
}

describe('client aborts', () => {
  let rig: FaultRig;
  before(async () => {
    // Idle pooled connections close after half a second, so the count returns to its baseline soon.
    rig = await startRig({ UPSTREAM_CONNECTIONS: '256', UPSTREAM_KEEP_ALIVE_TIMEOUT_MS: '500' });
    rig.chat.fault = everyCall({ kind: 'hang' });
  });
  after(() => rig.close());

  test('a burst of aborted requests cancels every upstream request', async () => {
    const socketsBefore = rig.chat.openSockets;
    const clients = Array.from({ length: 200 }, () => get(`${rig.url}/api/chat/history`, bearer(rig), 150));
    assert.ok(await rig.chat.waitFor(() => rig.chat.calls.length === 200, 3000), `only ${rig.chat.calls.length} requests reached the backend`);
    await Promise.all(clients);

    const allClosed = await rig.chat.waitFor(() => rig.chat.calls.every((request) => request.closedEarlyAt !== null), 3000);
    assert.ok(allClosed, `${rig.chat.calls.filter((request) => request.closedEarlyAt === null).length} upstream requests outlived their clients`);
    assert.ok(await rig.chat.waitFor(() => rig.chat.openSockets <= socketsBefore, 3000), `${rig.chat.openSockets} upstream connections still open`);
    assert.ok(await eventually(async () => (await clientConnections(rig)) <= 1), 'client connections still open');

    const chat = (await health(rig)).services.chat;
    assert.equal(chat.bulkhead.active, 0, 'bulkhead slots were not given back');
    assert.equal(chat.circuit.total_failures, 0, 'cancelled requests counted against the upstream');
  });
});

describe('memory over a long run of failures', () => {
  let rig: FaultRig;
  const gc = collectGarbage();
  const faults: Record<string, Fault> = {
    hang: { kind: 'hang' },
    reset: { kind: 'reset' },
    error: { kind: 'reply', status: 500 },
    pass: { kind: 'pass' },
  };

  before(async () => {
    rig = await startRig({
      UPSTREAM_TIMEOUT_MS: '150',
      RETRY_BASE_DELAY_MS: '1',
      RETRY_MAX_DELAY_MS: '5',
      // A closed circuit sends every request to the backend, so each one takes the heavy path.
      BREAKER_WINDOW_SIZE: '1000',
      BREAKER_MIN_CALLS: '1000',
      BREAKER_FAILURE_RATE: '100',
    });
    rig.chat.fault = everyCall((request) => faults[new URL(request.url, 'http://backend').searchParams.get('fault') ?? 'pass']);
  });
  after(() => rig.close());

  /** Runs `count` requests, 50 at a time: aborted, timed out, reset, failed and passed in turn. */
  async function run(count: number): Promise<Record<number, number>> {
    const statuses: Record<number, number> = {};
    const kinds = ['abort', 'hang', 'reset', 'error', 'pass'];
    for (let start = 0; start < count; start += 50) {
      const batch = Array.from({ length: Math.min(50, count - start) }, (_, index) => {
        const kind = kinds[(start + index) % kinds.length];
        const fault = kind === 'abort' ? 'hang' : kind;
        return get(`${rig.url}/api/chat/history?fault=${fault}`, bearer(rig), kind === 'abort' ? 30 : undefined);
      });
      for (const status of await Promise.all(batch)) statuses[status] = (statuses[status] ?? 0) + 1;
      // The recordings of the test itself are not the gateway's memory.
      rig.chat.requests.length = 0;
      rig.gateway.logs.text.length = 0;
    }
    return statuses;
  }

  async function settledHeap(): Promise<number> {
    await sleep(300);
    for (let round = 0; round < 3; round += 1) {
      gc();
      await sleep(20);
    }
    return process.memoryUsage().heapUsed;
  }

  test('heap and connections return near their baseline after 2000 requests', async (t) => {
    await run(250);
    const heapBefore = await settledHeap();
    const upstreamSocketsBefore = rig.chat.openSockets;

    const statuses = await run(2000);
    assert.equal(statuses[0], 400, 'not every aborted request was cut');
    // On a busy machine some resets and passes also meet the 150 ms deadline, so only the mix is checked.
    for (const status of [504, 503, 500, 200]) assert.ok((statuses[status] ?? 0) > 0, `no request ended with ${status}`);
    assert.equal(Object.values(statuses).reduce((sum, value) => sum + value, 0), 2000);

    const heapAfter = await settledHeap();
    const growthMb = (heapAfter - heapBefore) / (1024 * 1024);
    t.diagnostic(`heap after gc: ${(heapBefore / 1048576).toFixed(1)} MB before, ${(heapAfter / 1048576).toFixed(1)} MB after; statuses ${JSON.stringify(statuses)}`);
    assert.ok(growthMb < 10, `heap grew by ${growthMb.toFixed(1)} MB over 2000 requests`);
    assert.ok(await rig.chat.waitFor(() => rig.chat.openSockets <= upstreamSocketsBefore + 5, 3000), `${rig.chat.openSockets} upstream connections open, ${upstreamSocketsBefore} before`);
    assert.ok(await eventually(async () => (await clientConnections(rig)) <= 1), 'client connections still open');
    const chat = (await health(rig)).services.chat;
    assert.equal(chat.bulkhead.active, 0);
    assert.equal(chat.bulkhead.queued, 0);
  });
});
