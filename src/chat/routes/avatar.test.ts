import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AVATAR_STYLES, generateAvatar } from '../avatars/generator.ts';
import { callJson, signTestToken, startTestChat, type TestChat } from '../testing.ts';

let chat: TestChat;

before(async () => {
  chat = await startTestChat('chat-avatar', { AVATAR_URL_PREFIX: '/mad-scientist/avatars' });
});

after(async () => {
  await chat?.close();
});

function fetchImage(path: string, headers: Record<string, string> = {}) {
  return fetch(`${chat.url}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
}

describe('avatars', () => {
  test('first GET creates the default avatar once', async () => {
    const userId = randomUUID();
    const token = await signTestToken({ sub: userId });
    const [a, b] = await Promise.all([
      callJson(chat.url, 'GET', '/mad-scientist/avatar', { token }),
      callJson(chat.url, 'GET', '/mad-scientist/avatar', { token }),
    ]);
    assert.equal(a.status, 200);
    assert.equal(a.body.avatar.id, b.body.avatar.id, 'concurrent first calls share one default avatar');
    const { avatar } = a.body;
    assert.equal(avatar.style, 'scientist');
    assert.equal(avatar.seed, 'default');
    assert.equal(avatar.content_type, 'image/svg+xml');
    assert.equal(avatar.url, `/mad-scientist/avatars/${avatar.id}.svg`);
    assert.ok(!Number.isNaN(Date.parse(avatar.created_at)));

    const image = await fetchImage(avatar.url);
    assert.equal(image.status, 200);
    assert.equal(await image.text(), generateAvatar({ userId, style: 'scientist', seed: 'default' }));
  });

  test('POST makes a new current avatar from style and seed', async () => {
    const userId = randomUUID();
    const token = await signTestToken({ sub: userId });
    const created = await callJson(chat.url, 'POST', '/mad-scientist/avatar', { token, body: { style: 'robot', seed: 'bolt-7' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.avatar.style, 'robot');
    assert.equal(created.body.avatar.seed, 'bolt-7');
    const current = await callJson(chat.url, 'GET', '/mad-scientist/avatar', { token });
    assert.equal(current.body.avatar.id, created.body.avatar.id);

    const again = await callJson(chat.url, 'POST', '/mad-scientist/avatar', { token, body: { style: 'robot', seed: 'bolt-7' } });
    assert.notEqual(again.body.avatar.id, created.body.avatar.id);
    const first = await (await fetchImage(created.body.avatar.url)).text();
    const second = await (await fetchImage(again.body.avatar.url)).text();
    assert.equal(first, second, 'same user, style and seed give the same bytes');

    const random = await callJson(chat.url, 'POST', '/mad-scientist/avatar', { token });
    assert.equal(random.status, 201);
    assert.equal(random.body.avatar.style, 'robot', 'the style of the current avatar is kept');
    assert.match(random.body.avatar.seed, /^[0-9a-f]{16}$/);
  });

  test('every style can be generated and served', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    for (const style of AVATAR_STYLES) {
      const created = await callJson(chat.url, 'POST', '/mad-scientist/avatar', { token, body: { style, seed: 'x' } });
      assert.equal(created.status, 201, style);
      const image = await fetchImage(created.body.avatar.url);
      assert.equal(image.status, 200);
      assert.match(await image.text(), /^<svg /);
    }
  });

  test('image response has the safety and cache headers', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    const { body } = await callJson(chat.url, 'GET', '/mad-scientist/avatar', { token });
    const image = await fetchImage(body.avatar.url);
    assert.equal(image.headers.get('content-type'), 'image/svg+xml');
    assert.equal(image.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(image.headers.get('content-security-policy'), "default-src 'none'; style-src 'unsafe-inline'");
    assert.match(image.headers.get('cache-control') ?? '', /max-age=\d{6,}/);
    const etag = image.headers.get('etag');
    assert.ok(etag);
    const revalidated = await fetchImage(body.avatar.url, { 'if-none-match': etag });
    assert.equal(revalidated.status, 304);
  });

  test('unknown style and bad seed are 400', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    const style = await callJson(chat.url, 'POST', '/mad-scientist/avatar', { token, body: { style: 'unicorn' } });
    assert.equal(style.status, 400);
    assert.equal(style.body.error.code, 'VALIDATION_FAILED');
    assert.equal(style.body.error.details[0].field, 'style');
    for (const name of AVATAR_STYLES) assert.match(style.body.error.message, new RegExp(name));
    const seed = await callJson(chat.url, 'POST', '/mad-scientist/avatar', { token, body: { seed: 'x'.repeat(65) } });
    assert.equal(seed.status, 400);
    assert.equal(seed.body.error.details[0].field, 'seed');
  });

  test('unknown or malformed image names are 404', async () => {
    for (const name of [`${randomUUID()}.svg`, 'nope.svg', `${randomUUID()}.png`, `${randomUUID()}`, '..%2F..%2Fetc%2Fpasswd', `${randomUUID().toUpperCase()}.svg`]) {
      const response = await fetchImage(`/mad-scientist/avatars/${name}`);
      assert.equal(response.status, 404, name);
      assert.equal((await response.json()).error.code, 'NOT_FOUND');
    }
  });

  test('the image route needs no token but the others do', async () => {
    const token = await signTestToken({ sub: randomUUID() });
    const { body } = await callJson(chat.url, 'GET', '/mad-scientist/avatar', { token });
    assert.equal((await fetchImage(body.avatar.url)).status, 200);
    assert.equal((await callJson(chat.url, 'GET', '/mad-scientist/avatar')).status, 401);
  });
});
