/**
 * Upstream faults through a real gateway: refused connections, hanging and
 * garbage replies, the circuit breaker's cycle, and cancelled clients.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { request as httpRequest } from 'node:http';
import { after, describe, test } from 'node:test';
import { closedPort, echoHandler, FakeUpstream, sendJson, signToken, startTestGateway, type TestGateway } from './test-support.ts';

const LEAK_PATTERN = /127\.0\.0\.1|localhost|ECONNREFUSED|ECONNRESET|UND_ERR|HPE_|:\d{4,5}|at .*\.ts/;

async function timed(url: string, init: RequestInit = {}) {
  const started = performance.now();
  const response = await fetch(url, init);
  const text = await response.text();
  return { response, text, body: JSON.parse(text), elapsedMs: performance.now() - started };
}

/** Starts a TCP server that writes `reply` on every connection and closes it. */
async function garbageServer(reply: string): Promise<{ server: TcpServer; url: string }> {
  const server = createTcpServer((socket) => {
    socket.once('data', () => socket.end(reply));
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

describe('unreachable upstream', () => {
  let gateway: TestGateway;
  after(() => gateway?.close());

  test('answers 503 within a second and hides the cause', async () => {
    const port = await closedPort();
    gateway = await startTestGateway({ auth: `http://127.0.0.1:${port}`, chat: `http://127.0.0.1:${port}` });
    const { response, text, body, elapsedMs } = await timed(`${gateway.url}/api/auth/login`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 503);
    assert.equal(body.error.code, 'UPSTREAM_UNAVAILABLE');
    assert.equal(response.headers.get('retry-after'), null, 'a refused connection gives no time to wait');
    assert.ok(elapsedMs < 1000, `took ${elapsedMs} ms`);
    assert.doesNotMatch(text, LEAK_PATTERN);

    // The cause goes to the log instead, with the request id and the upstream name.
    const line = gateway.logs.lines.find((entry) => entry.msg === 'upstream request failed');
    assert.ok(line, 'no log line for the failure');
    assert.equal(line.reqId, body.meta.request_id);
    assert.equal(line.upstream, 'auth');
    assert.match(JSON.stringify(line.err), /ECONNREFUSED/);
  });
});

describe('hanging upstream', () => {
  let upstream: FakeUpstream;
  let gateway: TestGateway;
  after(async () => {
    await gateway?.close();
    await upstream?.stop();
  });

  test('answers 504 after UPSTREAM_TIMEOUT_MS and closes the upstream request', async () => {
    upstream = await FakeUpstream.start((request, response) => {
      if (request.url === '/health') return echoHandler(request, response, { url: '/health' } as never);
      // Sends no response.
    });
    gateway = await startTestGateway({ auth: upstream.url, chat: upstream.url }, { UPSTREAM_TIMEOUT_MS: '200' });
    const { response, text, body, elapsedMs } = await timed(`${gateway.url}/api/auth/login`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 504);
    assert.equal(body.error.code, 'UPSTREAM_TIMEOUT');
    assert.ok(elapsedMs >= 190, `took ${elapsedMs} ms, less than the timeout`);
    assert.ok(elapsedMs < 1000, `took ${elapsedMs} ms`);
    assert.doesNotMatch(text, LEAK_PATTERN);

    const socket = upstream.sockets.at(-1)!;
    const deadline = Date.now() + 1000;
    while (!socket.destroyed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(socket.destroyed, true, 'the upstream connection stayed open');
  });
});

describe('slow chat message', () => {
  let upstream: FakeUpstream;
  let gateway: TestGateway;
  after(async () => {
    await gateway?.close();
    await upstream?.stop();
  });

  test('waits CHAT_MESSAGE_TIMEOUT_MS for a generated reply', async () => {
    upstream = await FakeUpstream.start((request, response, recorded) => {
      if (recorded.url === '/health') return echoHandler(request, response, recorded);
      // Longer than UPSTREAM_TIMEOUT_MS plus a second, so no other header timeout may cut it short.
      setTimeout(() => sendJson(response, 201, { reply: 'slow but sure' }), 1300);
    });
    gateway = await startTestGateway({ auth: upstream.url, chat: upstream.url }, { UPSTREAM_TIMEOUT_MS: '100', CHAT_MESSAGE_TIMEOUT_MS: '3000' });
    const token = await signToken();
    const message = await fetch(`${gateway.url}/api/chat/message`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' });
    assert.equal(message.status, 201);
    const legacy = await fetch(`${gateway.url}/mad-scientist/message`, { method: 'POST', body: '{}' });
    assert.equal(legacy.status, 201);
    const history = await fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(history.status, 504);
  });
});

describe('garbage reply', () => {
  const servers: TcpServer[] = [];
  let gateway: TestGateway;
  after(async () => {
    await gateway?.close();
    for (const server of servers) server.close();
  });

  test('answers 502 for a reply that is not HTTP', async () => {
    const garbage = await garbageServer('SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n\r\n');
    servers.push(garbage.server);
    gateway = await startTestGateway({ auth: garbage.url, chat: garbage.url });
    const { response, text, body } = await timed(`${gateway.url}/api/auth/login`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 502);
    assert.equal(body.error.code, 'UPSTREAM_ERROR');
    assert.doesNotMatch(text, LEAK_PATTERN);
  });
});

describe('circuit breaker', () => {
  let upstream: FakeUpstream;
  let gateway: TestGateway;
  let token: string;
  let status = 500;
  after(async () => {
    await gateway?.close();
    await upstream?.stop();
  });

  test('never counts 4xx replies', async () => {
    upstream = await FakeUpstream.start((_request, response, recorded) => {
      // The health checks see the same trouble as the calls, so only user requests can be the probes.
      if (recorded.url === '/health') return sendJson(response, status >= 500 ? 503 : 200, { status: status >= 500 ? 'unhealthy' : 'healthy' });
      sendJson(response, status, { error: { code: 'X', message: 'x' }, meta: { request_id: 'u' } });
    });
    gateway = await startTestGateway({ auth: upstream.url, chat: upstream.url }, {
      BREAKER_MIN_CALLS: '3',
      BREAKER_WINDOW_SIZE: '3',
      BREAKER_FAILURE_RATE: '100',
      BREAKER_OPEN_MS: '400',
      BREAKER_HALF_OPEN_PROBES: '1',
      RETRY_MAX_ATTEMPTS: '1',
    });
    token = await signToken();
    status = 404;
    for (let index = 0; index < 6; index += 1) {
      const response = await fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 404);
    }
    assert.equal(upstream.calls.length, 6);
  });

  test('opens after failures and then fails fast with Retry-After', async () => {
    status = 500;
    for (let index = 0; index < 3; index += 1) {
      const response = await fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 500);
      await response.arrayBuffer();
    }
    const callsBefore = upstream.calls.length;
    const { response, body, elapsedMs } = await timed(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 503);
    assert.equal(body.error.code, 'UPSTREAM_UNAVAILABLE');
    assert.equal(response.headers.get('retry-after'), '1');
    assert.ok(elapsedMs < 1000);
    assert.equal(upstream.calls.length, callsBefore, 'an open circuit let a call through');

    const transitions = gateway.logs.lines.filter((line) => line.msg === 'circuit breaker opened');
    assert.equal(transitions.length, 1);
    assert.equal(transitions[0].upstream, 'chat');
    assert.equal(transitions[0].level, 40);
  });

  test('lets a probe through after the open period and closes when it succeeds', async () => {
    status = 200;
    await new Promise((resolve) => setTimeout(resolve, 450));
    const response = await fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    const messages = gateway.logs.lines.map((line) => line.msg);
    assert.ok(messages.includes('circuit breaker half-open'));
    assert.ok(messages.includes('circuit breaker closed'));
    const health = await (await fetch(`${gateway.url}/health`)).json();
    assert.equal(health.services.chat.circuit.state, 'closed');
    assert.equal(health.services.chat.circuit.last_transition.to, 'closed');
  });

  test('a failed probe opens the circuit again', async () => {
    status = 503;
    for (let index = 0; index < 3; index += 1) await (await fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 450));
    const probe = await fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(probe.status, 503);
    assert.equal(probe.headers.get('retry-after'), null, 'the probe reply came from the upstream');
    const next = await fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(next.status, 503);
    assert.equal(next.headers.get('retry-after'), '1');
  });
});

describe('client goes away', () => {
  let upstream: FakeUpstream;
  let gateway: TestGateway;
  after(async () => {
    await gateway?.close();
    await upstream?.stop();
  });

  test('cancels the upstream request', async () => {
    upstream = await FakeUpstream.start((request, response, recorded) => {
      if (recorded.url === '/health') return echoHandler(request, response, recorded);
      // Sends no response; the gateway must close this request when its client leaves.
    });
    gateway = await startTestGateway({ auth: upstream.url, chat: upstream.url });
    const client = httpRequest(`${gateway.url}/api/auth/login`, { method: 'POST' });
    client.on('error', () => {});
    client.end('{}');
    const deadline = Date.now() + 2000;
    while (upstream.calls.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(upstream.calls.length, 1);
    client.destroy();

    const socket = upstream.sockets.at(-1)!;
    while (!socket.destroyed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(socket.destroyed, true, 'the upstream request outlived its client');
    const health = await (await fetch(`${gateway.url}/health`)).json();
    assert.equal(health.services.auth.circuit.total_failures, 0, 'a cancelled client counted against the upstream');
  });
});
