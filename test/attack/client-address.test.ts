/**
 * Spoofed X-Forwarded-* headers. A gateway without trusted proxies ignores
 * them; a gateway that trusts the test client as its proxy reads the client
 * address from the right of X-Forwarded-For. Either way the service receives
 * exactly one X-Forwarded-For that ends with the address the gateway saw,
 * and rate limits count the real client.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { RunningGateway } from '../../src/gateway/server.ts';
import { call, startAttackStack, startExtraGateway, type AttackStack, type TappedRequest } from './stack.ts';

let stack: AttackStack;
let behindProxy: RunningGateway;

before(async () => {
  // The default gateway trusts nobody; the second one trusts loopback and 10.0.0.0/8 as its proxies.
  stack = await startAttackStack('xff', { gatewayEnv: { RATE_LIMIT_LOGIN_PER_IP: '3/60', RATE_LIMIT_LOGIN_PER_ACCOUNT: 'off', LOGIN_BACKOFF_THRESHOLD: '0' } });
  behindProxy = (
    await startExtraGateway(stack, {
      TRUSTED_PROXIES: '127.0.0.1/32, ::1, 10.0.0.0/8',
      RATE_LIMIT_LOGIN_PER_IP: '3/60',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: 'off',
      LOGIN_BACKOFF_THRESHOLD: '0',
    })
  ).gateway;
});

after(async () => {
  await behindProxy?.close();
  await stack?.close();
});

beforeEach(() => stack.clearTaps());

function forwardedHeaders(request: TappedRequest): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index].toLowerCase();
    if (name.startsWith('x-forwarded-')) (found[name] ??= []).push(request.rawHeaders[index + 1]);
  }
  return found;
}

const spoofed = { 'x-forwarded-for': '6.6.6.6, 7.7.7.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' };

describe('without trusted proxies', () => {
  test('forwarded headers from the client are replaced', async () => {
    const response = await call(stack.url, 'GET', '/auth/probe', { headers: spoofed });
    assert.equal(response.status, 404);
    const [received] = stack.authTap.calls;
    assert.deepEqual(forwardedHeaders(received), {
      'x-forwarded-for': ['127.0.0.1'],
      'x-forwarded-proto': ['http'],
      'x-forwarded-host': [new URL(stack.url).host],
    });
    assert.equal(response.headers.get('strict-transport-security'), null, 'HSTS sent on a plain HTTP request');
  });

  test('spoofed addresses do not dodge the login limit', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await call(stack.url, 'POST', '/api/auth/login', {
        body: { username: `nobody_${attempt}`, password: 'wrong-password' },
        headers: { 'x-forwarded-for': `198.51.100.${attempt}` },
      });
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    assert.equal(stack.authTap.calls.filter((request) => request.url === '/auth/login').length, 3);
  });
});

describe('behind a trusted proxy', () => {
  test('client is the nearest untrusted address', async () => {
    const response = await call(behindProxy.url, 'GET', '/auth/probe', {
      headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.1.2.3', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.com' },
    });
    assert.equal(response.status, 404);
    const [received] = stack.authTap.calls;
    // 6.6.6.6 was written by the client itself and is dropped; 10.1.2.3 is a trusted hop.
    assert.deepEqual(forwardedHeaders(received), {
      'x-forwarded-for': ['203.0.113.7, 10.1.2.3, 127.0.0.1'],
      'x-forwarded-proto': ['https'],
      'x-forwarded-host': ['app.example.com'],
    });
    assert.match(response.headers.get('strict-transport-security') ?? '', /^max-age=31536000; includeSubDomains$/);
  });

  test('invalid entries end the walk', async () => {
    await call(behindProxy.url, 'GET', '/auth/probe', { headers: { 'x-forwarded-for': '203.0.113.7, not-an-ip' } });
    const [received] = stack.authTap.calls;
    assert.deepEqual(forwardedHeaders(received)['x-forwarded-for'], ['127.0.0.1']);
  });

  test('login limit counts each real client', async () => {
    const attempt = (client: string) =>
      call(behindProxy.url, 'POST', '/api/auth/login', { body: { username: 'nobody', password: 'wrong-password' }, headers: { 'x-forwarded-for': client } });
    const first: number[] = [];
    for (let index = 0; index < 4; index += 1) first.push((await attempt('203.0.113.50')).status);
    assert.deepEqual(first, [401, 401, 401, 429]);
    const limited = await attempt('203.0.113.50');
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);

    // Another client behind the same proxy is not affected.
    assert.equal((await attempt('203.0.113.51')).status, 401);
    // Nor can the limited client escape by adding a hop of its own on the left.
    assert.equal((await attempt('192.0.2.99, 203.0.113.50')).status, 429);
  });

  test('IPv6 clients count by /64', async () => {
    const attempt = (client: string) =>
      call(behindProxy.url, 'POST', '/api/auth/login', { body: { username: 'nobody', password: 'wrong-password' }, headers: { 'x-forwarded-for': client } });
    const statuses: number[] = [];
    for (const suffix of ['1', '2', '3', 'ffff:1']) statuses.push((await attempt(`2001:db8:aaaa:bbbb::${suffix}`)).status);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    assert.equal((await attempt('2001:db8:aaaa:cccc::1')).status, 401);
  });
});
