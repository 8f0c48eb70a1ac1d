/**
 * Malformed input at the gateway: wrong types, oversized fields, bodies that
 * are not JSON, and hostile query strings. The gateway checks them against
 * the public API's schemas before proxying, so no service sees them, and it
 * passes valid bodies on byte for byte.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { call, registerUser, startAttackStack, type AttackStack } from './stack.ts';

let stack: AttackStack;
let token: string;

before(async () => {
  stack = await startAttackStack('validation', { gatewayEnv: { RATE_LIMITS: 'off' } });
  token = (await registerUser(stack)).pair.access_token;
});

after(() => stack?.close());

beforeEach(() => stack.clearTaps());

function fieldsOf(body: any): string[] {
  return (body.error.details ?? []).map((detail: { field: string }) => detail.field);
}

describe('bodies', () => {
  const cases: Array<{ label: string; path: string; body: unknown; field: string; auth?: boolean }> = [
    { label: 'username with markup', path: '/api/auth/register', body: { username: '<script>', email: 'a@example.com', password: 'long-enough-1' }, field: 'username' },
    { label: 'email that is not one', path: '/api/auth/register', body: { username: 'valid_name', email: "x' OR '1'='1", password: 'long-enough-1' }, field: 'email' },
    { label: 'password as a number', path: '/api/auth/login', body: { username: 'ada', password: 12345678 }, field: 'password' },
    { label: 'password as an object', path: '/api/auth/login', body: { username: 'ada', password: { $ne: null } }, field: 'password' },
    { label: 'password too long', path: '/api/auth/register', body: { username: 'valid_name', email: 'a@example.com', password: 'p'.repeat(129) }, field: 'password' },
    { label: 'missing password', path: '/api/auth/login', body: { username: 'ada' }, field: 'password' },
    { label: 'body that is an array', path: '/api/auth/login', body: [{ username: 'ada', password: 'x' }], field: 'body' },
    { label: 'refresh token as a number', path: '/api/auth/refresh', body: { refresh_token: 42 }, field: 'refresh_token' },
    { label: 'message too long', path: '/api/chat/message', body: { message: 'x'.repeat(4001) }, field: 'message', auth: true },
    { label: 'message as a number', path: '/api/chat/message', body: { message: 7 }, field: 'message', auth: true },
    { label: 'conversation id that is not a uuid', path: '/api/chat/message', body: { message: 'hi', conversation_id: "1; DROP TABLE messages" }, field: 'conversation_id', auth: true },
    { label: 'avatar style outside the list', path: '/api/chat/avatar', body: { style: '../../etc/passwd' }, field: 'style', auth: true },
    { label: 'legacy register path', path: '/auth/register', body: { username: 'x', email: 'nope', password: 'short' }, field: 'username' },
  ];
  for (const { label, path, body, field, auth } of cases) {
    test(`${label} is a 400`, async () => {
      const response = await call(stack.url, 'POST', path, { body, token: auth ? token : undefined });
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.equal(response.body.error.code, 'VALIDATION_FAILED');
      assert.ok(fieldsOf(response.body).includes(field), `details name ${fieldsOf(response.body).join(', ')}`);
      assert.equal(stack.backendCalls().length, 0, 'the invalid body reached a service');
    });
  }

  test('body that is not JSON is a 400', async () => {
    for (const body of ['{"username": "ada", ', 'username=ada&password=x', '\u0000\u00ff']) {
      const response = await call(stack.url, 'POST', '/api/auth/login', { body, headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 400, body);
      assert.equal(response.body.error.code, 'BAD_REQUEST');
    }
    assert.equal(stack.backendCalls().length, 0);
  });

  test('other content types are a 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json-patch+json']) {
      const response = await call(stack.url, 'POST', '/api/auth/login', { body: '{"username":"ada","password":"x"}', headers: { 'content-type': type } });
      assert.equal(response.status, 415, type);
      assert.equal(response.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
    }
    assert.equal(stack.backendCalls().length, 0);
  });

  test('valid body passes byte for byte', async () => {
    const text = '{ "message" :"caf\\u00e9 \u2014 Gr\u00fc\u00dfe \ud83e\uddea",\n  "unknown_field": [1, 2.50, {"a": null}] }';
    const response = await call(stack.url, 'POST', '/api/chat/message', { token, body: text, headers: { 'content-type': 'application/json; charset=utf-8' } });
    assert.equal(response.status, 201);
    const [received] = stack.chatTap.calls;
    assert.equal(received.body.toString('utf8'), text);
    assert.equal(received.headers['content-type'], 'application/json; charset=utf-8');
  });
});

describe('query strings', () => {
  const paths = [
    '/api/chat/history?limit=1000',
    '/api/chat/history?limit=0',
    '/api/chat/history?limit=ten',
    '/api/chat/history?limit=5&limit=6',
    '/api/chat/history?conversation_id=1%20OR%201%3D1',
    `/api/chat/history?cursor=${'c'.repeat(300)}`,
    '/api/chat/conversations?limit=-1',
  ];
  for (const path of paths) {
    test(`${path.slice(0, 60)} is a 400`, async () => {
      const response = await call(stack.url, 'GET', path, { token });
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.equal(response.body.error.code, 'VALIDATION_FAILED');
      assert.equal(stack.backendCalls().length, 0);
    });
  }

  test('valid query passes unchanged', async () => {
    const response = await call(stack.url, 'GET', '/api/chat/history?limit=05&cursor=', { token });
    assert.equal(response.status, 200);
    assert.equal(stack.chatTap.calls[0].url, '/mad-scientist/history?limit=05&cursor=');
  });
});
