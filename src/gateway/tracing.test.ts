import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseTraceparent } from '../common/trace-context.ts';
import { FakeUpstream, signToken, startTestGateway, type TestGateway } from './test-support.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

let auth: FakeUpstream;
let chat: FakeUpstream;
let gateway: TestGateway;
let token: string;

before(async () => {
  auth = await FakeUpstream.start();
  chat = await FakeUpstream.start();
  gateway = await startTestGateway({ auth: auth.url, chat: chat.url });
  token = await signToken();
});

after(async () => {
  await gateway?.close();
  await Promise.all([auth?.stop(), chat?.stop()]);
});

async function profile(headers: Record<string, string>) {
  const requestId = `trace-${Math.random().toString(36).slice(2)}`;
  await (await fetch(`${gateway.url}/api/auth/profile`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': requestId, ...headers } })).arrayBuffer();
  const received = auth.calls.find((call) => call.headers['x-request-id'] === requestId);
  assert.ok(received, 'the upstream got the request');
  const line = gateway.logs.lines.find((entry) => entry.reqId === requestId && entry.msg === 'request completed');
  assert.ok(line, 'the gateway wrote the access line');
  return { received, line };
}

test('traceparent continues the caller trace', async () => {
  const { received, line } = await profile({ traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, tracestate: 'vendor=abc' });
  const sent = parseTraceparent(received.headers.traceparent);
  assert.ok(sent, `invalid traceparent sent upstream: ${received.headers.traceparent}`);
  assert.equal(sent.traceId, TRACE_ID);
  assert.notEqual(sent.parentId, PARENT_ID, 'the gateway passes its own span id as the parent');
  assert.equal(sent.flags, '01');
  assert.equal(received.headers.tracestate, 'vendor=abc');
  assert.equal(line.trace_id, TRACE_ID);
});

test('traceparent is started when absent', async () => {
  const { received, line } = await profile({});
  const sent = parseTraceparent(received.headers.traceparent);
  assert.ok(sent, `invalid traceparent sent upstream: ${received.headers.traceparent}`);
  assert.equal(sent.flags, '00');
  assert.equal(line.trace_id, sent.traceId);
});

test('invalid traceparent is replaced and tracestate dropped', async () => {
  const { received, line } = await profile({ traceparent: `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`, tracestate: 'vendor=abc' });
  const sent = parseTraceparent(received.headers.traceparent);
  assert.ok(sent);
  assert.notEqual(sent.traceId, TRACE_ID.toLowerCase());
  assert.equal(received.headers.tracestate, undefined);
  assert.equal(line.trace_id, sent.traceId);
});

test('each request gets its own trace', async () => {
  const first = await profile({});
  const second = await profile({});
  assert.notEqual(first.line.trace_id, second.line.trace_id);
});

test('dashboard parts carry the trace', async () => {
  const authBefore = auth.calls.length;
  const chatBefore = chat.calls.length;
  await (await fetch(`${gateway.url}/api/dashboard`, { headers: { authorization: `Bearer ${token}`, traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } })).arrayBuffer();
  const parts = [...auth.calls.slice(authBefore), ...chat.calls.slice(chatBefore)];
  assert.equal(parts.length, 3, 'the dashboard calls profile, history and avatar');
  for (const part of parts) assert.equal(parseTraceparent(part.headers.traceparent)?.traceId, TRACE_ID, part.url);
});
