/**
 * Attacks on the browser session through the gateway: a cross-site request
 * riding the refresh cookie (CSRF), a page script trying to read the refresh
 * token, and a stolen cookie replayed after logout. The refresh token lives
 * only in an HttpOnly cookie scoped to /api/auth; refresh and logout through
 * the cookie need X-CSRF-Token to match the readable CSRF cookie.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, newAccount, startAttackStack, type AttackStack, type JsonResponse } from './stack.ts';

let stack: AttackStack;

before(async () => {
  stack = await startAttackStack('cookie', { env: { COOKIE_SECURE: 'true' }, gatewayEnv: { RATE_LIMITS: 'off', CORS_ORIGINS: 'https://app.example.com' } });
});

after(() => stack?.close());

interface Jar {
  refresh: string;
  csrf: string;
}

function cookiesOf(response: JsonResponse): Map<string, { value: string; attributes: string[] }> {
  const cookies = new Map<string, { value: string; attributes: string[] }>();
  for (const line of response.headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const separator = pair.indexOf('=');
    cookies.set(pair.slice(0, separator), { value: pair.slice(separator + 1), attributes: attributes.map((attribute) => attribute.toLowerCase()) });
  }
  return cookies;
}

function cookieHeader(jar: Partial<Jar>): string {
  return [jar.refresh !== undefined && `ms_refresh=${jar.refresh}`, jar.csrf !== undefined && `ms_csrf=${jar.csrf}`].filter(Boolean).join('; ');
}

async function browserLogin(): Promise<{ jar: Jar; access: string; response: JsonResponse }> {
  const account = newAccount('jar');
  const response = await call(stack.url, 'POST', '/api/auth/register', { body: account, headers: { 'x-token-delivery': 'cookie' } });
  assert.equal(response.status, 201);
  const cookies = cookiesOf(response);
  return { jar: { refresh: cookies.get('ms_refresh')!.value, csrf: cookies.get('ms_csrf')!.value }, access: response.body.access_token, response };
}

describe('refresh cookie through the gateway', () => {
  test('token stays out of the body and out of scripts', async () => {
    const { response } = await browserLogin();
    assert.equal(response.body.refresh_token, undefined);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const cookies = cookiesOf(response);
    const refresh = cookies.get('ms_refresh')!;
    for (const attribute of ['httponly', 'secure', 'samesite=strict', 'path=/api/auth']) {
      assert.ok(refresh.attributes.includes(attribute), `refresh cookie lacks ${attribute}`);
    }
    assert.ok(!cookies.get('ms_csrf')!.attributes.includes('httponly'));
  });

  test('cross-site refresh without the CSRF header is refused', async () => {
    const { jar } = await browserLogin();
    const attempts: Array<[string, Record<string, string>]> = [
      ['no header', {}],
      ['guessed header', { 'x-csrf-token': 'guess' }],
      ['header without the CSRF cookie', { 'x-csrf-token': jar.csrf, cookie: `ms_refresh=${jar.refresh}` }],
    ];
    for (const [label, headers] of attempts) {
      const response = await call(stack.url, 'POST', '/api/auth/refresh', { headers: { origin: 'https://evil.example', cookie: cookieHeader(jar), ...headers } });
      assert.equal(response.status, 403, label);
      assert.equal(response.body.error.code, 'FORBIDDEN', label);
      assert.equal(response.headers.get('access-control-allow-origin'), null, label);
      assert.equal(response.headers.getSetCookie().length, 0, `${label}: new cookies were issued`);
    }
    // None of the attempts used the token up.
    const genuine = await call(stack.url, 'POST', '/api/auth/refresh', { headers: { cookie: cookieHeader(jar), 'x-csrf-token': jar.csrf } });
    assert.equal(genuine.status, 200);
    assert.equal(genuine.body.refresh_token, undefined, 'a cookie refresh returned the refresh token in the body');
  });

  test('the preflight a cross-site page would need is refused', async () => {
    const response = await call(stack.url, 'OPTIONS', '/api/auth/refresh', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-csrf-token' },
    });
    assert.equal(response.status, 403);
  });

  test('logout through the cookie needs the header, then kills it', async () => {
    const { jar, access } = await browserLogin();
    const forged = await call(stack.url, 'POST', '/api/auth/logout', { token: access, headers: { cookie: cookieHeader(jar) } });
    assert.equal(forged.status, 403);
    // The refused logout made no use of the access token either: it still works.
    assert.equal((await call(stack.url, 'GET', '/api/auth/profile', { token: access })).status, 200);

    const logout = await call(stack.url, 'POST', '/api/auth/logout', { token: access, headers: { cookie: cookieHeader(jar), 'x-csrf-token': jar.csrf } });
    assert.equal(logout.status, 200);
    assert.equal(cookiesOf(logout).get('ms_refresh')?.value, '');

    // A copy of the cookie taken before the logout is dead.
    const replay = await call(stack.url, 'POST', '/api/auth/refresh', { headers: { cookie: cookieHeader(jar), 'x-csrf-token': jar.csrf } });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error.code, 'INVALID_REFRESH_TOKEN');
    assert.equal(cookiesOf(replay).get('ms_refresh')?.value, '', 'the dead cookie was not cleared');
  });

  test('stolen cookie replayed after rotation ends the session', async () => {
    const { jar } = await browserLogin();
    const rotated = await call(stack.url, 'POST', '/api/auth/refresh', { headers: { cookie: cookieHeader(jar), 'x-csrf-token': jar.csrf } });
    assert.equal(rotated.status, 200);
    const next = cookiesOf(rotated);
    const current: Jar = { refresh: next.get('ms_refresh')!.value, csrf: next.get('ms_csrf')!.value };

    const theft = await call(stack.url, 'POST', '/api/auth/refresh', { headers: { cookie: cookieHeader(jar), 'x-csrf-token': jar.csrf } });
    assert.equal(theft.status, 401);
    const owner = await call(stack.url, 'POST', '/api/auth/refresh', { headers: { cookie: cookieHeader(current), 'x-csrf-token': current.csrf } });
    assert.equal(owner.status, 401, 'the session survived the reuse of a rotated cookie');
  });
});
