/**
 * One sick backend at a time, behind a real gateway. The faults are refused
 * connections, connections that are accepted and never get a response,
 * headers and then silence, slow replies, resets in the middle of a body, invalid JSON and a
 * backend that accepts no connection at all. Each test checks the client's
 * status, the timing, and what the backend saw.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../../src/gateway/test-support.ts';
import { everyCall } from './fault-backend.ts';
import { bearer, startRig, timedFetch, type FaultRig } from './rig.ts';

const LEAK_PATTERN = /127\.0\.0\.1|ECONNREFUSED|ECONNRESET|UND_ERR|:\d{4,5}/;

/** Reads a response with node:http and reports whether the body ended whole or the connection was cut. */
function readToEnd(url: string, headers: Record<string, string>): Promise<{ status: number; outcome: 'ended' | 'cut'; bytes: number; elapsedMs: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    let status = 0;
    let bytes = 0;
    const finish = (outcome: 'ended' | 'cut') => resolve({ status, outcome, bytes, elapsedMs: performance.now() - started });
    const request = httpRequest(url, { headers }, (response) => {
      status = response.statusCode ?? 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => finish(response.complete ? 'ended' : 'cut'));
      response.on('aborted', () => finish('cut'));
      response.on('error', () => finish('cut'));
    });
    request.on('error', () => finish('cut'));
    request.end();
  });
}

describe('refused connections', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({ RETRY_BASE_DELAY_MS: '5', RETRY_MAX_DELAY_MS: '10' });
    await rig.chat.refuse();
  });
  after(() => rig.close());

  test('GET and POST get 503 at once and no details', async () => {
    const history = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(history.status, 503);
    assert.equal(history.body.error.code, 'UPSTREAM_UNAVAILABLE');
    assert.ok(history.elapsedMs < 1000, `took ${history.elapsedMs} ms`);
    assert.doesNotMatch(history.text, LEAK_PATTERN);

    const message = await timedFetch(`${rig.url}/api/chat/message`, { method: 'POST', headers: bearer(rig), body: '{"message":"hi"}' });
    assert.equal(message.status, 503);
    assert.ok(message.elapsedMs < 1000, `took ${message.elapsedMs} ms`);
  });

  test('the other upstream is unaffected', async () => {
    const profile = await timedFetch(`${rig.url}/api/auth/profile`, { headers: bearer(rig) });
    assert.equal(profile.status, 200);
  });
});

describe('accepted and never answered', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({ UPSTREAM_TIMEOUT_MS: '400' });
    rig.chat.fault = everyCall({ kind: 'hang' });
  });
  after(() => rig.close());

  test('504 at the deadline, and the upstream request is closed', async () => {
    const response = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(response.status, 504);
    assert.equal(response.body.error.code, 'UPSTREAM_TIMEOUT');
    assert.ok(response.elapsedMs >= 390, `answered after ${response.elapsedMs} ms, before the deadline`);
    assert.ok(response.elapsedMs < 2000, `took ${response.elapsedMs} ms`);

    assert.equal(rig.chat.calls.length, 1, 'a timed-out request was retried');
    const seen = rig.chat.calls[0];
    assert.ok(await rig.chat.waitFor(() => seen.closedEarlyAt !== null, 1000), 'the backend never saw the request closed');
    assert.ok(seen.closedEarlyAt! - seen.receivedAt < 1500, 'the request was closed long after the deadline');
  });
});

describe('headers timeout shorter than the deadline', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({ UPSTREAM_HEADERS_TIMEOUT_MS: '300', UPSTREAM_TIMEOUT_MS: '5000' });
    rig.chat.fault = everyCall({ kind: 'hang' });
  });
  after(() => rig.close());

  test('one attempt ends at the headers timeout, not at the deadline', async () => {
    const response = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(response.status, 504);
    assert.ok(response.elapsedMs >= 290, `answered after ${response.elapsedMs} ms, before the headers timeout`);
    assert.ok(response.elapsedMs < 2000, `took ${response.elapsedMs} ms, closer to the deadline`);
    assert.equal(rig.chat.calls.length, 1);
    assert.ok(await rig.chat.waitFor(() => rig.chat.calls[0].closedEarlyAt !== null, 1000), 'the backend never saw the request closed');
  });
});

describe('headers then silence', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({ UPSTREAM_BODY_TIMEOUT_MS: '300' });
    rig.chat.fault = everyCall({ kind: 'stall-after-headers', headers: { 'content-length': '100' } });
  });
  after(() => rig.close());

  test('the body idle timeout cuts the client connection and closes the upstream request', async () => {
    const result = await readToEnd(`${rig.url}/api/chat/history`, bearer(rig));
    assert.equal(result.status, 200, 'the headers were not passed on');
    assert.equal(result.outcome, 'cut', 'a stalled body ended as if complete');
    assert.ok(result.elapsedMs >= 290, `cut after ${result.elapsedMs} ms, before the idle timeout`);
    // undici checks its body timeout on a timer with a resolution of about a second.
    assert.ok(result.elapsedMs < 2500, `cut after ${result.elapsedMs} ms`);
    assert.ok(await rig.chat.waitFor(() => rig.chat.calls[0]?.closedEarlyAt !== null, 1000), 'the backend never saw the request closed');
  });
});

describe('slow replies', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig({ UPSTREAM_TIMEOUT_MS: '600' });
  });
  after(() => rig.close());

  test('a reply inside the deadline arrives', async () => {
    rig.chat.fault = everyCall({ kind: 'pass', delayMs: 200 });
    const response = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(response.status, 200);
    assert.ok(response.elapsedMs >= 190, `took ${response.elapsedMs} ms, less than the delay`);
  });

  test('a reply past the deadline is a 504 and is closed', async () => {
    rig.chat.fault = everyCall({ kind: 'pass', delayMs: 1500 });
    const before = rig.chat.calls.length;
    const response = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(response.status, 504);
    assert.ok(response.elapsedMs < 1400, `took ${response.elapsedMs} ms, as long as the backend`);
    const seen = rig.chat.calls[before];
    assert.ok(await rig.chat.waitFor(() => seen.closedEarlyAt !== null, 1000), 'the backend never saw the request closed');
  });
});

describe('reset in the middle of a body', () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startRig();
    rig.chat.fault = everyCall({ kind: 'reset-mid-body', bytes: 1000 });
  });
  after(() => rig.close());

  test('the client sees a cut response, never a complete one', async () => {
    const result = await readToEnd(`${rig.url}/api/chat/history`, bearer(rig));
    assert.equal(result.status, 200);
    assert.equal(result.outcome, 'cut');
    assert.ok(result.bytes <= 1000, `${result.bytes} bytes arrived from a 1000-byte prefix`);
  });
});

describe('invalid JSON', () => {
  let rig: FaultRig;
  const broken = '{"messages": [{"id": "1", "content": "unterminated';
  before(async () => {
    rig = await startRig();
    rig.chat.fault = everyCall((request) =>
      request.url.startsWith('/mad-scientist/history')
        ? { kind: 'reply', status: 200, body: broken }
        : { kind: 'reply', status: 200, body: JSON.stringify({ avatar: { id: 'a1', url: '/api/chat/avatars/a1.svg' } }) },
    );
    rig.auth.fault = everyCall({ kind: 'reply', status: 200, body: JSON.stringify({ user: { id: 'u1', username: 'ada' } }) });
  });
  after(() => rig.close());

  test('a proxied route passes the bytes on unchanged', async () => {
    const response = await timedFetch(`${rig.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(response.status, 200);
    assert.equal(response.text, broken);
  });

  test('the dashboard leaves that part out and keeps the rest', async () => {
    const response = await timedFetch(`${rig.url}/api/dashboard`, { headers: bearer(rig) });
    assert.equal(response.status, 200);
    assert.equal(response.body.chat_history, null);
    assert.equal(response.body.meta.history_available, false);
    assert.equal(response.body.profile.username, 'ada');
    assert.equal(response.body.avatar.id, 'a1');
  });
});

describe('no connection accepted', () => {
  let listener: ChildProcess;
  const fillers: Socket[] = [];
  let gateway: TestGateway;
  let rig: FaultRig;

  before(async () => {
    // A listener whose process blocks its event loop, so nothing is accepted: once its backlog
    // is full, the kernel drops further connection attempts and a connect hangs until it times out.
    listener = spawn(
      process.execPath,
      [
        '-e',
        `const server = require('node:net').createServer();
         server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
           process.stdout.write(server.address().port + '\\n');
           setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000), 20);
         });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const port = await new Promise<number>((resolve) => listener.stdout!.once('data', (data) => resolve(Number(String(data).trim()))));
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let index = 0; index < 2; index += 1) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      fillers.push(socket);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    rig = await startRig();
    gateway = await startTestGateway(
      { auth: rig.auth.url, chat: `http://127.0.0.1:${port}` },
      { UPSTREAM_CONNECT_TIMEOUT_MS: '300', UPSTREAM_TIMEOUT_MS: '5000', RETRY_MAX_ATTEMPTS: '1' },
    );
  });

  after(async () => {
    await gateway?.close();
    await rig?.close();
    for (const socket of fillers) socket.destroy();
    listener?.kill('SIGKILL');
  });

  test('the connect timeout ends the call long before the deadline', async () => {
    const response = await timedFetch(`${gateway.url}/api/chat/history`, { headers: bearer(rig) });
    assert.equal(response.status, 504);
    assert.equal(response.body.error.code, 'UPSTREAM_TIMEOUT');
    assert.ok(response.elapsedMs >= 290, `took ${response.elapsedMs} ms, less than the connect timeout`);
    assert.ok(response.elapsedMs < 2500, `took ${response.elapsedMs} ms, closer to the deadline than to the connect timeout`);
  });
});
