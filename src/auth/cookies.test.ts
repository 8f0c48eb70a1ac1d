import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newAccount, startTestAuthService, type TestAuthService } from './test-helpers.ts';

let auth: TestAuthService;
before(async () => {
  auth = await startTestAuthService('authcookies', { COOKIE_SECURE: 'true', REFRESH_COOKIE_PATH: '/api/auth' });
});
after(() => auth.stop());

interface CookieJar {
  refresh?: string;
  csrf?: string;
}

/** Reads the Set-Cookie lines of a response into name, value and attributes. */
function setCookies(headers: Headers): Map<string, { value: string; attributes: string[] }> {
  const cookies = new Map<string, { value: string; attributes: string[] }>();
  for (const line of headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const [name, value] = pair.split('=');
    cookies.set(name, { value, attributes: attributes.map((attribute) => attribute.toLowerCase()) });
  }
  return cookies;
}

async function post(path: string, options: { body?: unknown; jar?: CookieJar; headers?: Record<string, string>; token?: string } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const cookies = [options.jar?.refresh && `ms_refresh=${options.jar.refresh}`, options.jar?.csrf && `ms_csrf=${options.jar.csrf}`].filter(Boolean);
  if (cookies.length > 0) headers.cookie = cookies.join('; ');
  const response = await fetch(`${auth.service.url}${path}`, { method: 'POST', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

async function cookieLogin(): Promise<{ jar: CookieJar; access: string }> {
  const account = newAccount('Cookie');
  const registered = await post('/auth/register', { body: account, headers: { 'x-token-delivery': 'cookie' } });
  assert.equal(registered.status, 201);
  assert.equal(registered.body.refresh_token, undefined, 'the body must not carry the refresh token');
  const cookies = setCookies(registered.headers);
  return { jar: { refresh: cookies.get('ms_refresh')?.value, csrf: cookies.get('ms_csrf')?.value }, access: registered.body.access_token };
}

describe('refresh cookie', () => {
  it('is HttpOnly, Secure, SameSite=Strict and scoped', async () => {
    const account = newAccount('Attrs');
    const response = await post('/auth/register', { body: account, headers: { 'x-token-delivery': 'cookie' } });
    const cookies = setCookies(response.headers);
    const refresh = cookies.get('ms_refresh');
    const csrf = cookies.get('ms_csrf');
    assert.ok(refresh && csrf);
    assert.match(refresh.value, /^[A-Za-z0-9_-]{43}$/);
    for (const attribute of ['httponly', 'secure', 'samesite=strict', 'path=/api/auth', 'max-age=604800']) assert.ok(refresh.attributes.includes(attribute), attribute);
    for (const attribute of ['secure', 'samesite=strict', 'path=/']) assert.ok(csrf.attributes.includes(attribute), attribute);
    assert.ok(!csrf.attributes.includes('httponly'), 'the page must be able to read the CSRF cookie');
  });

  it('refreshes with the CSRF header and rotates', async () => {
    const { jar } = await cookieLogin();
    const refreshed = await post('/auth/refresh', { jar, headers: { 'x-csrf-token': jar.csrf! } });
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body.refresh_token, undefined);
    assert.equal(typeof refreshed.body.access_token, 'string');
    const rotated = setCookies(refreshed.headers).get('ms_refresh')?.value;
    assert.ok(rotated && rotated !== jar.refresh);
  });

  it('refuses a refresh without the CSRF header', async () => {
    const { jar } = await cookieLogin();
    const attempts: Array<Record<string, string>> = [{}, { 'x-csrf-token': 'forged-value' }, { 'x-csrf-token': `${jar.csrf}x` }];
    for (const headers of attempts) {
      const response = await post('/auth/refresh', { jar, headers });
      assert.equal(response.status, 403, JSON.stringify(headers));
      assert.equal(response.body.error.code, 'FORBIDDEN');
    }
    // The cookie was not spent by the refused attempts.
    assert.equal((await post('/auth/refresh', { jar, headers: { 'x-csrf-token': jar.csrf! } })).status, 200);
  });

  it('refuses a planted CSRF pair of another session', async () => {
    const victim = await cookieLogin();
    const attacker = await cookieLogin();
    // Cookie and header agree, as when a sibling subdomain plants the cookie, but the token was signed for another refresh token.
    const planted = { refresh: victim.jar.refresh, csrf: attacker.jar.csrf };
    const response = await post('/auth/refresh', { jar: planted, headers: { 'x-csrf-token': attacker.jar.csrf! } });
    assert.equal(response.status, 403);
    assert.equal(response.body.error.code, 'FORBIDDEN');
    const unsigned = 'bm9uY2U.c2lnbmF0dXJl';
    const forged = await post('/auth/refresh', { jar: { refresh: victim.jar.refresh, csrf: unsigned }, headers: { 'x-csrf-token': unsigned } });
    assert.equal(forged.status, 403);
    assert.equal((await post('/auth/refresh', { jar: victim.jar, headers: { 'x-csrf-token': victim.jar.csrf! } })).status, 200);
  });

  it('logout via cookie revokes and clears it', async () => {
    const { jar, access } = await cookieLogin();
    const refused = await post('/auth/logout', { jar, token: access });
    assert.equal(refused.status, 403);

    const response = await post('/auth/logout', { jar, token: access, headers: { 'x-csrf-token': jar.csrf! } });
    assert.equal(response.status, 200);
    const cleared = setCookies(response.headers);
    assert.equal(cleared.get('ms_refresh')?.value, '');
    assert.ok(cleared.get('ms_refresh')?.attributes.some((attribute) => attribute.startsWith('expires=thu, 01 jan 1970')));
    const replay = await post('/auth/refresh', { jar, headers: { 'x-csrf-token': jar.csrf! } });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error.code, 'INVALID_REFRESH_TOKEN');
  });

  it('body tokens still work without cookies', async () => {
    const account = newAccount('Body');
    const registered = await post('/auth/register', { body: account });
    assert.equal(registered.headers.getSetCookie().length, 0);
    const refreshed = await post('/auth/refresh', { body: { refresh_token: registered.body.refresh_token } });
    assert.equal(refreshed.status, 200);
    assert.equal(typeof refreshed.body.refresh_token, 'string');
  });
});
