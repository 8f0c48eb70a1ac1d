/**
 * Secrets never leak into logs or error bodies. The three services run as
 * real processes at LOG_LEVEL=trace; a run of logins, refreshes, password
 * changes, forged tokens and tokens in query strings goes through the
 * gateway; then every password, token, cookie value and the signing secret
 * is searched for in all three logs. Production refuses weak secrets.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { createTestStorage, TEST_JWT_SECRET, type TestStorage } from '../../src/common/test-support.ts';
import { repositoryRoot, startServiceProcess, type ServiceProcess } from '../support/processes.ts';
import { call, newAccount, type JsonResponse } from './stack.ts';

let storage: TestStorage;
let auth: ServiceProcess;
let chat: ServiceProcess;
let gateway: ServiceProcess;

before(async () => {
  storage = createTestStorage('attacksecrets');
  const shared = { ...storage.env, LOG_LEVEL: 'trace', PERSONA_STREAM_DELAY_MS: '0' };
  [auth, chat] = await Promise.all([startServiceProcess('auth', 'src/auth/main.ts', shared), startServiceProcess('chat', 'src/chat/main.ts', shared)]);
  gateway = await startServiceProcess('gateway', 'src/gateway/main.ts', { ...shared, AUTH_SERVICE_URL: auth.url, CHAT_SERVICE_URL: chat.url, RATE_LIMITS: 'off' });
});

after(async () => {
  await Promise.all([gateway, chat, auth].filter(Boolean).map((service) => service.stop()));
  await storage?.cleanup();
});

function setCookie(response: JsonResponse, name: string): string {
  const line = response.headers.getSetCookie().find((entry) => entry.startsWith(`${name}=`));
  assert.ok(line, `no ${name} cookie`);
  return line.slice(name.length + 1).split(';')[0];
}

describe('secrets', () => {
  test('never appear in logs or error bodies', async () => {
    const secrets = new Map<string, string>([['JWT secret', TEST_JWT_SECRET]]);
    const errorBodies: string[] = [];
    const keep = (response: JsonResponse) => {
      if (response.status >= 400) errorBodies.push(JSON.stringify(response.body));
      return response;
    };

    const account = newAccount('leak');
    secrets.set('password', account.password);
    const registered = keep(await call(gateway.url, 'POST', '/api/auth/register', { body: account }));
    assert.equal(registered.status, 201);
    secrets.set('access token 1', registered.body.access_token);
    secrets.set('refresh token 1', registered.body.refresh_token);

    keep(await call(gateway.url, 'POST', '/api/auth/login', { body: { username: account.username, password: 'wrong-password-guess' } }));
    secrets.set('wrong password', 'wrong-password-guess');
    keep(await call(gateway.url, 'POST', '/api/auth/login', { body: { username: account.username, password: 99999999 } }));

    const browser = keep(await call(gateway.url, 'POST', '/api/auth/login', { body: { username: account.username, password: account.password }, headers: { 'x-token-delivery': 'cookie' } }));
    assert.equal(browser.status, 200);
    const refreshCookie = setCookie(browser, 'ms_refresh');
    const csrf = setCookie(browser, 'ms_csrf');
    secrets.set('refresh cookie', refreshCookie);
    secrets.set('CSRF token', csrf);
    secrets.set('access token 2', browser.body.access_token);
    const cookieHeader = `ms_refresh=${refreshCookie}; ms_csrf=${csrf}`;
    keep(await call(gateway.url, 'POST', '/api/auth/refresh', { headers: { cookie: cookieHeader } }));
    const cookieRefresh = keep(await call(gateway.url, 'POST', '/api/auth/refresh', { headers: { cookie: cookieHeader, 'x-csrf-token': csrf } }));
    assert.equal(cookieRefresh.status, 200);
    secrets.set('access token 3', cookieRefresh.body.access_token);
    secrets.set('refresh cookie 2', setCookie(cookieRefresh, 'ms_refresh'));

    const refreshed = keep(await call(gateway.url, 'POST', '/api/auth/refresh', { body: { refresh_token: registered.body.refresh_token } }));
    secrets.set('refresh token 2', refreshed.body.refresh_token);
    secrets.set('access token 4', refreshed.body.access_token);
    keep(await call(gateway.url, 'POST', '/api/auth/refresh', { body: { refresh_token: registered.body.refresh_token } }));

    const token = cookieRefresh.body.access_token;
    keep(await call(gateway.url, 'GET', `/api/chat/history?access_token=${token}&limit=5`, { token }));
    keep(await call(gateway.url, 'GET', `/mad-scientist/history?token=${token}`, { token }));
    keep(await call(chat.url, 'GET', '/mad-scientist/history', { token }));
    keep(await call(gateway.url, 'GET', '/api/chat/history', { headers: { authorization: `Bearer ${token}x` } }));
    keep(await call(gateway.url, 'GET', '/api/chat/history', { headers: { authorization: `Basic ${Buffer.from(`${account.username}:${account.password}`).toString('base64')}` } }));
    keep(await call(gateway.url, 'POST', '/api/chat/message', { token, body: { message: 'Tell me about volcanoes.' } }));

    const newPassword = `${account.password}-rotated`;
    secrets.set('new password', newPassword);
    keep(await call(gateway.url, 'POST', '/api/auth/password', { token, body: { current_password: 'not-it-at-all', new_password: newPassword } }));
    const changed = keep(await call(gateway.url, 'POST', '/api/auth/password', { token, body: { current_password: account.password, new_password: newPassword } }));
    assert.equal(changed.status, 200);
    secrets.set('access token 5', changed.body.access_token);
    secrets.set('refresh token 3', changed.body.refresh_token);
    keep(await call(gateway.url, 'POST', '/api/auth/logout', { token: changed.body.access_token, body: { refresh_token: changed.body.refresh_token } }));
    keep(await call(gateway.url, 'GET', '/api/auth/profile', { token: changed.body.access_token }));

    // Let the services flush their asynchronous log streams.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const logs = { gateway: gateway.output(), auth: auth.output(), chat: chat.output() };
    for (const [service, output] of Object.entries(logs)) assert.ok(output.includes('request completed'), `${service} wrote no access lines`);
    assert.ok(logs.gateway.includes('access_token=[redacted]'), 'the query token was not replaced');

    for (const [label, value] of secrets) {
      for (const [service, output] of Object.entries(logs)) assert.ok(!output.includes(value), `${label} found in the ${service} log`);
      // A JWT's signature alone is enough to tell it was logged.
      if (value.split('.').length === 3) for (const [service, output] of Object.entries(logs)) assert.ok(!output.includes(value.split('.')[2]), `${label} signature in the ${service} log`);
      for (const body of errorBodies) assert.ok(!body.includes(value), `${label} found in an error body: ${body}`);
    }
    assert.ok(errorBodies.length >= 8, `only ${errorBodies.length} error responses were checked`);
    for (const body of errorBodies) assert.doesNotMatch(body, /127\.0\.0\.1|\bat \w+ \(|node_modules|ECONN/, `internals in an error body: ${body}`);
  });
});

/** Runs a service's main with `env` and resolves with its exit code and output. */
function runMain(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: repositoryRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: storage.env.DATA_DIR!, PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('production configuration', () => {
  const weak = ['changeme', 'secret', 'my-super-secret-key-that-is-long-enough', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'abcdabcdabcdabcdabcdabcdabcdabcdabcd'];
  for (const entry of ['src/auth/main.ts', 'src/gateway/main.ts', 'src/chat/main.ts']) {
    test(`${entry.split('/')[1]} refuses weak secrets`, async () => {
      for (const secret of weak) {
        const { code, output } = await runMain(entry, { NODE_ENV: 'production', JWT_SECRET_KEY: secret });
        assert.equal(code, 1, `${secret}: ${output}`);
        assert.match(output, /^Configuration error: JWT_SECRET_KEY: /m, secret);
        if (secret.length > 12) assert.ok(!output.includes(secret), 'the error message repeated the secret');
      }
    });
  }
});
