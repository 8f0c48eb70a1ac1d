import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FakeUpstream, startTestGateway, type TestGateway } from './test-support.ts';

const INDEX = '<!doctype html><title>Mad Scientist</title><div id="app"></div>';
let webRoot: string;
let upstream: FakeUpstream;
let gateway: TestGateway;

before(async () => {
  webRoot = mkdtempSync(join(tmpdir(), 'ms-web-'));
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'index.html'), INDEX);
  writeFileSync(join(webRoot, 'assets', 'app-1a2b.js'), 'console.log("hi")');
  writeFileSync(join(webRoot, 'assets', 'app-3c4d.css'), 'body { margin: 0 }');
  writeFileSync(join(webRoot, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  upstream = await FakeUpstream.start();
  gateway = await startTestGateway({ auth: upstream.url, chat: upstream.url }, { WEB_ROOT: webRoot });
});

after(async () => {
  await gateway.close();
  await upstream.stop();
  rmSync(webRoot, { recursive: true, force: true });
});

test('web client index at /', async () => {
  const response = await fetch(`${gateway.url}/`, { headers: { accept: 'text/html' } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(await response.text(), INDEX);
});

test('web client assets by path', async () => {
  const response = await fetch(`${gateway.url}/assets/app-1a2b.js`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /javascript/);
  assert.equal(await response.text(), 'console.log("hi")');
});

test('hashed assets are cached as immutable', async () => {
  for (const [method, path] of [
    ['GET', '/assets/app-1a2b.js'],
    ['GET', '/assets/app-3c4d.css'],
    ['HEAD', '/assets/app-1a2b.js'],
  ]) {
    const response = await fetch(gateway.url + path, { method });
    assert.equal(response.status, 200, `${method} ${path}`);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable', `${method} ${path}`);
  }
});

test('unhashed files are revalidated', async () => {
  for (const path of ['/', '/index.html', '/favicon.svg', '/chat/conversation/42']) {
    const response = await fetch(gateway.url + path, { headers: { accept: 'text/html' } });
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get('cache-control') ?? '', /^(no-cache|public, max-age=0)$/, path);
  }
  const missing = await fetch(`${gateway.url}/assets/missing-9z9z.js`);
  assert.equal(missing.status, 404);
  assert.doesNotMatch(missing.headers.get('cache-control') ?? '', /immutable/);
});

test('client-side route falls back to index.html', async () => {
  const response = await fetch(`${gateway.url}/chat/conversation/42?tab=history`, { headers: { accept: 'text/html,application/xhtml+xml' } });
  assert.equal(response.status, 200);
  assert.equal(await response.text(), INDEX);
});

test('no fallback under /api or without text/html', async () => {
  for (const [path, accept] of [
    ['/api/unknown', 'text/html'],
    ['/assets/missing.js', '*/*'],
  ]) {
    const response = await fetch(gateway.url + path, { headers: { accept } });
    assert.equal(response.status, 404, path);
    assert.equal((await response.json()).error.code, 'NOT_FOUND', path);
  }
  assert.equal(upstream.calls.length, 0);
});

test('API path under another method is 405, not the fallback', async () => {
  for (const method of ['GET', 'DELETE']) {
    const response = await fetch(`${gateway.url}/api/auth/login`, { method, headers: { accept: 'text/html' } });
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get('allow'), 'POST', method);
    assert.equal((await response.json()).error.code, 'METHOD_NOT_ALLOWED', method);
  }
  const asset = await fetch(`${gateway.url}/assets/app-1a2b.js`, { method: 'POST' });
  assert.equal(asset.status, 405);
  assert.equal(asset.headers.get('allow'), 'GET, HEAD');
  assert.equal(upstream.calls.length, 0);
});

test('client-side route under another method stays 404', async () => {
  const response = await fetch(`${gateway.url}/chat/conversation/42`, { method: 'POST', headers: { accept: 'text/html' } });
  assert.equal(response.status, 404);
  assert.equal((await response.json()).error.code, 'NOT_FOUND');
});

test('API routes still win over the web client', async () => {
  const response = await fetch(`${gateway.url}/health`, { headers: { accept: 'text/html' } });
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
});
