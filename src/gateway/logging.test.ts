/**
 * The gateway's log: one access line per request with upstream timing, a
 * request id on every line of a request, and never a token.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeUpstream, sendJson, signToken, startTestGateway, type TestGateway } from './test-support.ts';

let auth: FakeUpstream;
let chat: FakeUpstream;
let gateway: TestGateway;
let token: string;

before(async () => {
  auth = await FakeUpstream.start();
  chat = await FakeUpstream.start((_request, response, recorded) => {
    if (recorded.url === '/health') return sendJson(response, 200, { status: 'healthy' });
    sendJson(response, 500, { error: { code: 'INTERNAL_ERROR', message: 'x' }, meta: { request_id: 'u' } });
  });
  gateway = await startTestGateway({ auth: auth.url, chat: chat.url }, { BREAKER_MIN_CALLS: '2', BREAKER_WINDOW_SIZE: '2' });
  token = await signToken();
});

after(async () => {
  await gateway.close();
  await auth.stop();
  await chat.stop();
});

test('log lines carry the request id and never the token', async () => {
  const forged = await signToken({ issuer: 'elsewhere' });
  const requests: Array<[string, RequestInit]> = [
    ['/api/auth/profile', { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'log-1' } }],
    ['/api/auth/login', { method: 'POST', headers: { 'x-request-id': 'log-2' }, body: JSON.stringify({ username: 'ada', password: 'hunter2-secret' }) }],
    ['/api/chat/history', { headers: { authorization: `Bearer ${forged}`, 'x-request-id': 'log-3' } }],
    ['/api/chat/history', { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'log-4' } }],
    ['/api/chat/history', { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'log-5' } }],
    ['/api/chat/history', { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'log-6' } }],
    ['/api/dashboard', { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'log-7' } }],
  ];
  for (const [path, init] of requests) await (await fetch(gateway.url + path, init)).arrayBuffer();

  const all = gateway.logs.all;
  assert.ok(!all.includes(token), 'an access token was logged');
  assert.ok(!all.includes(forged), 'a rejected token was logged');
  assert.ok(!all.includes('hunter2-secret'), 'a password was logged');

  const lines = gateway.logs.lines;
  for (const id of ['log-1', 'log-2', 'log-3', 'log-4', 'log-5', 'log-6', 'log-7']) {
    const completed = lines.filter((line) => line.reqId === id && line.msg === 'request completed');
    assert.equal(completed.length, 1, `request ${id} has ${completed.length} access lines`);
  }
  // Every line written while a request ran names it, breaker transitions included.
  const opened = lines.find((line) => line.msg === 'circuit breaker opened');
  assert.equal(opened?.reqId, 'log-5');
  const startup = new Set(['Server listening at', 'gateway listening', 'web client not found; / is not served', 'gateway stopped']);
  for (const line of lines) {
    if ([...startup].some((message) => line.msg.startsWith(message))) continue;
    assert.equal(typeof line.reqId, 'string', `no reqId on: ${JSON.stringify(line)}`);
  }
});

test('access line has the route, status, duration and upstream timing', async () => {
  await (await fetch(`${gateway.url}/api/auth/profile?x=1`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'timing-1' } })).arrayBuffer();
  const line = gateway.logs.lines.find((entry) => entry.reqId === 'timing-1' && entry.msg === 'request completed');
  assert.ok(line);
  assert.equal(line.method, 'GET');
  assert.equal(line.route, '/api/auth/profile');
  assert.equal(line.statusCode, 200);
  assert.equal(typeof line.responseTime, 'number');
  assert.equal(line.upstream, 'auth');
  assert.equal(line.upstreamStatus, 200);
  assert.equal(typeof line.upstreamHeaderTime, 'number');
  assert.ok(line.upstreamHeaderTime <= line.responseTime);
});

test('5xx access lines are at error level, 4xx at info', async () => {
  await (await fetch(`${gateway.url}/api/chat/history`, { headers: { 'x-request-id': 'level-401' } })).arrayBuffer();
  await (await fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'level-503' } })).arrayBuffer();
  const level = (id: string) => gateway.logs.lines.find((line) => line.reqId === id && line.msg === 'request completed')?.level;
  assert.equal(level('level-401'), 30);
  assert.equal(level('level-503'), 50);
});

test('abandoned proxied request is logged', async (t) => {
  const heldResponses: import('node:http').ServerResponse[] = [];
  const slow = await FakeUpstream.start((_request, response, recorded) => {
    if (recorded.url === '/health') return sendJson(response, 200, { status: 'healthy' });
    heldResponses.push(response);
    // History waits before its headers; a conversation sends its headers and first bytes, then waits.
    if (recorded.url.startsWith('/mad-scientist/conversations')) {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {}\n\n');
    }
  });
  const slowGateway = await startTestGateway({ auth: auth.url, chat: slow.url });
  t.after(async () => {
    for (const response of heldResponses) response.destroy();
    await slowGateway.close();
    await slow.stop();
  });
  const accessLine = async (id: string) => {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const line = slowGateway.logs.lines.find((entry) => entry.reqId === id && entry.msg === 'request completed');
      if (line) return line;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return undefined;
  };

  const beforeHeaders = new AbortController();
  const waiting = fetch(`${slowGateway.url}/api/chat/history`, {
    headers: { authorization: `Bearer ${token}`, 'x-request-id': 'left-early' },
    signal: beforeHeaders.signal,
  });
  setTimeout(() => beforeHeaders.abort(), 200);
  await assert.rejects(waiting);
  const early = await accessLine('left-early');
  assert.equal(early?.statusCode, 499);
  assert.equal(early?.clientClosed, true);

  const midStream = new AbortController();
  const streaming = await fetch(`${slowGateway.url}/api/chat/conversations`, {
    headers: { authorization: `Bearer ${token}`, 'x-request-id': 'left-mid-stream' },
    signal: midStream.signal,
  });
  assert.equal(streaming.status, 200);
  await streaming.body!.getReader().read();
  midStream.abort();
  const late = await accessLine('left-mid-stream');
  assert.equal(late?.statusCode, 200);
  assert.equal(late?.clientClosed, true);
  assert.equal(slowGateway.logs.lines.filter((entry) => entry.reqId === 'left-mid-stream' && entry.msg === 'request completed').length, 1);
});
