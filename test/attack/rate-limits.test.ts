/**
 * Brute force and flooding against the running stack: password guessing
 * from one address, credential stuffing of one account from many addresses,
 * mass registration and message floods. The gateway trusts the test client
 * as its proxy, so X-Forwarded-For plays the attacker's many addresses.
 * With TEST_REDIS_URL set, two gateways share their counters through Redis.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deleteKeys, redisSkip, testRedis } from '../../src/gateway/redis-testing.ts';
import type { RunningGateway } from '../../src/gateway/server.ts';
import { call, newAccount, startAttackStack, startExtraGateway, type AttackStack, type JsonResponse } from './stack.ts';

let stack: AttackStack;
let nextAddress = 0;

/** A client address no other request of this file used. */
function freshAddress(): string {
  nextAddress += 1;
  return `10.20.${Math.floor(nextAddress / 250)}.${(nextAddress % 250) + 1}`;
}

before(async () => {
  stack = await startAttackStack('ratelimits', {
    gatewayEnv: {
      TRUSTED_PROXIES: '127.0.0.1',
      RATE_LIMIT_LOGIN_PER_IP: '4/60',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '30/60',
      LOGIN_BACKOFF_THRESHOLD: '3',
      LOGIN_BACKOFF_BASE_SECONDS: '1',
      LOGIN_BACKOFF_MAX_SECONDS: '2',
      RATE_LIMIT_REGISTER_PER_IP: '2/600',
      RATE_LIMIT_CHAT_MESSAGES_PER_USER: '3/60',
    },
  });
});

after(() => stack?.close());

function login(baseUrl: string, username: string, password: string, from = freshAddress()): Promise<JsonResponse> {
  return call(baseUrl, 'POST', '/api/auth/login', { body: { username, password }, headers: { 'x-forwarded-for': from } });
}

async function register(from = freshAddress()) {
  const account = newAccount('rl');
  const response = await call(stack.url, 'POST', '/api/auth/register', { body: account, headers: { 'x-forwarded-for': from } });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return { account, pair: response.body };
}

function assertLimited(response: JsonResponse, maxSeconds: number, label: string): number {
  assert.equal(response.status, 429, `${label}: ${response.status} ${JSON.stringify(response.body)}`);
  assert.equal(response.body.error.code, 'RATE_LIMITED', label);
  const retryAfter = Number(response.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= maxSeconds, `${label}: Retry-After ${retryAfter}`);
  return retryAfter;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('login', () => {
  test('guessing from one address hits the limit', async () => {
    const { account } = await register();
    const attacker = freshAddress();
    stack.clearTaps();
    const statuses: number[] = [];
    for (let guess = 0; guess < 4; guess += 1) statuses.push((await login(stack.url, `guess_${guess}`, 'hunter2-guess', attacker)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401]);
    assertLimited(await login(stack.url, account.username, account.password, attacker), 60, 'fifth attempt');
    assert.equal(stack.authTap.calls.length, 4, 'the refused attempt reached the auth service');
    // The owner, from another address, still logs in.
    assert.equal((await login(stack.url, account.username, account.password)).status, 200);
  });

  test('stuffing one account backs off, then lets the owner in', async () => {
    const { account } = await register();
    for (let guess = 0; guess < 3; guess += 1) assert.equal((await login(stack.url, account.username, `wrong-${guess}`)).status, 401);

    // Three failures in a row: the account waits 1 s, whatever the address and the password.
    assertLimited(await login(stack.url, account.username, account.password), 1, 'after 3 failures');
    assertLimited(await login(stack.url, ` ${account.username.toUpperCase()} `, account.password), 1, 'same name, other case and spaces');
    await sleep(1100);
    assert.equal((await login(stack.url, account.username, 'wrong-4')).status, 401);
    assert.equal(assertLimited(await login(stack.url, account.username.toUpperCase(), 'wrong-5'), 2, 'after 4 failures'), 2);
    await sleep(2100);
    assert.equal((await login(stack.url, account.username, 'wrong-6')).status, 401);
    // The wait doubles no further than LOGIN_BACKOFF_MAX_SECONDS.
    assert.equal(assertLimited(await login(stack.url, account.username, account.password), 2, 'capped'), 2);
    await sleep(2100);

    assert.equal((await login(stack.url, account.username, account.password)).status, 200);
    // A success clears the count: one more failure does not block.
    assert.equal((await login(stack.url, account.username, 'wrong-7')).status, 401);
    assert.equal((await login(stack.url, account.username, account.password)).status, 200);
  });

  test('legacy path shares the limits', async () => {
    const attacker = freshAddress();
    for (let guess = 0; guess < 4; guess += 1) {
      const response = await call(stack.url, 'POST', '/auth/login', { body: { username: `legacy_victim_${guess}`, password: 'guess' }, headers: { 'x-forwarded-for': attacker } });
      assert.equal(response.status, 401);
    }
    assertLimited(await login(stack.url, 'legacy_victim', 'guess', attacker), 60, 'api path after legacy attempts');
  });
});

describe('registration', () => {
  test('mass registration from one address is limited', async () => {
    const attacker = freshAddress();
    await register(attacker);
    await register(attacker);
    stack.clearTaps();
    const third = await call(stack.url, 'POST', '/api/auth/register', { body: newAccount('rl'), headers: { 'x-forwarded-for': attacker } });
    assertLimited(third, 600, 'third registration');
    assert.equal(stack.authTap.calls.length, 0);
  });
});

describe('chat messages', () => {
  test('one user cannot flood the chat service', async () => {
    const { pair } = await register();
    const { pair: bystander } = await register();
    const send = (token: string, path = '/api/chat/message') => call(stack.url, 'POST', path, { token, body: { message: 'Is the moon made of cheese?' } });
    for (let index = 0; index < 3; index += 1) assert.equal((await send(pair.access_token)).status, 201);
    stack.clearTaps();
    assertLimited(await send(pair.access_token), 60, 'fourth message');
    assertLimited(await send(pair.access_token, '/mad-scientist/message'), 60, 'legacy path');
    assert.equal(stack.chatTap.calls.length, 0);
    assert.equal((await send(bystander.access_token)).status, 201);
  });
});

describe('shared through Redis', { skip: redisSkip }, () => {
  let redis: { url: string; keyPrefix: string };
  let second: RunningGateway;
  let first: RunningGateway;

  before(async () => {
    redis = testRedis();
    const env = { TRUSTED_PROXIES: '127.0.0.1', REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix, RATE_LIMIT_LOGIN_PER_IP: '3/60', LOGIN_BACKOFF_THRESHOLD: '2' };
    first = (await startExtraGateway(stack, env)).gateway;
    second = (await startExtraGateway(stack, env)).gateway;
  });

  after(async () => {
    await first?.close();
    await second?.close();
    if (redis) await deleteKeys(redis.url, redis.keyPrefix);
  });

  test('replicas share one budget per address', async () => {
    const attacker = freshAddress();
    const statuses: number[] = [];
    for (const [index, gateway] of [first, second, first].entries()) statuses.push((await login(gateway.url, `shared_victim_a${index}`, 'guess', attacker)).status);
    assert.deepEqual(statuses, [401, 401, 401]);
    assertLimited(await login(second.url, 'shared_victim_a3', 'guess', attacker), 60, 'fourth attempt on the other replica');
  });

  test('replicas share the account backoff', async () => {
    assert.equal((await login(first.url, 'shared_victim_b', 'guess')).status, 401);
    assert.equal((await login(second.url, 'shared_victim_b', 'guess')).status, 401);
    assertLimited(await login(first.url, 'shared_victim_b', 'guess'), 1, 'after failures on both replicas');
  });
});
