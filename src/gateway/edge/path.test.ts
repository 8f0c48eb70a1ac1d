import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPath } from './path.ts';

test('checkPath accepts ordinary paths and queries', () => {
  for (const url of ['/', '/api/chat/history?cursor=..%2F&x=%2e%2e', '/api/chat/avatars/abc-123.svg', '/assets/index-C5.js', '/api/auth/%6cogin']) {
    assert.doesNotThrow(() => checkPath(url), url);
  }
});

test('checkPath rejects prefix escapes', () => {
  const urls = ['/a/../b', '/a/./b', '/a/..', '/..', '/a/%2e%2e/b', '/a/%2E./b', '/a/..%2fb', '/a/%2F', '/a\\b', '/a/%5cb', '/a/%252e', '/a//b', '/a/%00', '/a/%0d%0aSet-Cookie', '/a/%7f'];
  for (const url of urls) {
    assert.throws(() => checkPath(url), (error: unknown) => (error as { code?: string }).code === 'NOT_FOUND', url);
  }
});
