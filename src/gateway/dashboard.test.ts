/**
 * GET /api/dashboard: a fan-out to three parts, and a response with the parts that arrived.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { FakeUpstream, sendJson, signToken, startTestGateway, type RecordedRequest, type TestGateway } from './test-support.ts';

const USER = { id: '4b1d7a52-0000-4000-8000-000000000001', username: 'ada', email: 'ada@example.com', created_at: '2024-01-01T00:00:00.000Z' };
const MESSAGES = [{ id: '2', conversation_id: 'c', role: 'assistant', content: 'Eureka!', created_at: '2024-01-01T00:00:01.000Z' }];
const AVATAR = { id: 'av1', style: 'bolt', seed: 's', url: '/api/chat/avatars/av1.svg', content_type: 'image/svg+xml', created_at: '2024-01-01T00:00:00.000Z' };

/** The way each fake serves its part: at once, late, with an error status, or never. */
interface PartBehaviour {
  delayMs: number;
  status: number;
  hang: boolean;
}
const behaviour: Record<'profile' | 'history' | 'avatar', PartBehaviour> = {
  profile: { delayMs: 0, status: 200, hang: false },
  history: { delayMs: 0, status: 200, hang: false },
  avatar: { delayMs: 0, status: 200, hang: false },
};

function answer(part: keyof typeof behaviour, response: ServerResponse, body: object): void {
  const { delayMs, status, hang } = behaviour[part];
  if (hang) return;
  const payload = status === 200 ? { ...body, meta: { request_id: 'upstream' } } : { error: { code: status === 401 ? 'TOKEN_REVOKED' : 'INTERNAL_ERROR', message: 'no' }, meta: { request_id: 'upstream' } };
  setTimeout(() => sendJson(response, status, payload), delayMs);
}

let auth: FakeUpstream;
let chat: FakeUpstream;
let gateway: TestGateway;
let token: string;

function health(response: ServerResponse, recorded: RecordedRequest): boolean {
  if (recorded.url !== '/health') return false;
  sendJson(response, 200, { status: 'healthy' });
  return true;
}

before(async () => {
  auth = await FakeUpstream.start((_request, response, recorded) => {
    if (health(response, recorded)) return;
    answer('profile', response, { user: USER });
  });
  chat = await FakeUpstream.start((_request, response, recorded) => {
    if (health(response, recorded)) return;
    if (recorded.url.startsWith('/mad-scientist/history')) return answer('history', response, { messages: MESSAGES, next_cursor: 'next-1' });
    answer('avatar', response, { avatar: AVATAR });
  });
  gateway = await startTestGateway(
    { auth: auth.url, chat: chat.url },
    { DASHBOARD_PART_TIMEOUT_MS: '500', BREAKER_MIN_CALLS: '1000', BREAKER_WINDOW_SIZE: '1000' },
  );
  token = await signToken({ sub: USER.id, username: USER.username });
});

after(async () => {
  await gateway.close();
  await auth.stop();
  await chat.stop();
});

beforeEach(() => {
  for (const part of Object.values(behaviour)) Object.assign(part, { delayMs: 0, status: 200, hang: false });
  auth.requests.length = 0;
  chat.requests.length = 0;
});

async function dashboard() {
  const started = performance.now();
  const response = await fetch(`${gateway.url}/api/dashboard`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'dash-1' } });
  const body = await response.json();
  return { response, body, elapsedMs: performance.now() - started };
}

describe('dashboard', () => {
  test('combines the three parts', async () => {
    const { response, body } = await dashboard();
    assert.equal(response.status, 200);
    assert.deepEqual(body, {
      profile: USER,
      chat_history: { messages: MESSAGES, next_cursor: 'next-1' },
      avatar: AVATAR,
      meta: { request_id: 'dash-1', profile_available: true, history_available: true, avatar_available: true },
    });
  });

  test('calls each part with the token, request id and identity', async () => {
    await dashboard();
    const calls = [...auth.calls, ...chat.calls];
    assert.deepEqual(calls.map((call) => call.url).sort(), ['/auth/profile', '/mad-scientist/avatar', '/mad-scientist/history?limit=10']);
    for (const call of calls) {
      assert.equal(call.headers.authorization, `Bearer ${token}`);
      assert.equal(call.headers['x-request-id'], 'dash-1');
      assert.equal(call.headers['x-user-id'], USER.id);
    }
  });

  test('one part failing leaves it null and its flag false', async () => {
    behaviour.history.status = 500;
    const { response, body } = await dashboard();
    assert.equal(response.status, 200);
    assert.equal(body.chat_history, null);
    assert.equal(body.meta.history_available, false);
    assert.deepEqual(body.profile, USER);
    assert.deepEqual(body.avatar, AVATAR);
    assert.equal(body.meta.profile_available, true);
    assert.equal(body.meta.avatar_available, true);
  });

  test('a part past its deadline is null, and the rest still arrives', async () => {
    behaviour.avatar.hang = true;
    const { response, body, elapsedMs } = await dashboard();
    assert.equal(response.status, 200);
    assert.equal(body.avatar, null);
    assert.equal(body.meta.avatar_available, false);
    assert.deepEqual(body.profile, USER);
    assert.ok(elapsedMs < 1500, `took ${elapsedMs} ms with a 500 ms part deadline`);
  });

  test('all parts failing is a 503', async () => {
    behaviour.profile.status = 503;
    behaviour.history.hang = true;
    behaviour.avatar.status = 500;
    const { response, body } = await dashboard();
    assert.equal(response.status, 503);
    assert.equal(body.error.code, 'UPSTREAM_UNAVAILABLE');
    assert.equal(response.headers.get('retry-after'), null, 'no part failed on an open circuit');
    assert.equal(body.meta.request_id, 'dash-1');
  });

  test('parts run concurrently', async () => {
    for (const part of Object.values(behaviour)) part.delayMs = 300;
    const { response, body, elapsedMs } = await dashboard();
    assert.equal(response.status, 200);
    assert.equal(body.meta.profile_available && body.meta.history_available && body.meta.avatar_available, true);
    assert.ok(elapsedMs >= 290, `took ${elapsedMs} ms, less than one part`);
    assert.ok(elapsedMs < 600, `took ${elapsedMs} ms: the parts ran one after another`);
  });

  test('a 401 from a part is passed on', async () => {
    behaviour.profile.status = 401;
    const { response, body } = await dashboard();
    assert.equal(response.status, 401);
    assert.equal(body.error.code, 'TOKEN_REVOKED');
  });

  test('the access-log line names every part upstream', async () => {
    await dashboard();
    const line = gateway.logs.lines.filter((entry) => entry.msg === 'request completed' && entry.route === '/api/dashboard').at(-1);
    assert.ok(line);
    assert.deepEqual(line.upstreams.map((part: { upstream: string }) => part.upstream).sort(), ['auth', 'chat', 'chat']);
    for (const part of line.upstreams) assert.equal(typeof part.upstreamHeaderTime, 'number');
  });
});
