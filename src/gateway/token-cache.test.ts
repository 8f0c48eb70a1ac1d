import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessTokenClaims } from '../common/jwt.ts';
import { TokenCache } from './token-cache.ts';

function claims(exp: number): AccessTokenClaims {
  return { sub: 'u', username: 'ada', jti: 'j', iat: exp - 900, exp };
}

test('token cache keeps a token until its exp', async () => {
  const cache = new TokenCache(10);
  const exp = Math.floor(Date.now() / 1000) + 1;
  cache.set('token-a', claims(exp));
  assert.equal(cache.get('token-a')?.exp, exp);
  // lru-cache measures TTL on its own monotonic clock, so this waits for the real second to pass.
  await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
  assert.equal(cache.get('token-a'), undefined);
});

test('token cache skips a token that has already expired', () => {
  const cache = new TokenCache(10);
  cache.set('old', claims(Math.floor(Date.now() / 1000) - 1));
  assert.equal(cache.get('old'), undefined);
  assert.equal(cache.size, 0);
});

test('token cache evicts the least recently used token', () => {
  const cache = new TokenCache(2);
  const exp = Math.floor(Date.now() / 1000) + 900;
  cache.set('a', claims(exp));
  cache.set('b', claims(exp));
  cache.get('a');
  cache.set('c', claims(exp));
  assert.notEqual(cache.get('a'), undefined);
  assert.equal(cache.get('b'), undefined);
  assert.notEqual(cache.get('c'), undefined);
});

test('token cache of size 0 stores nothing', () => {
  const cache = new TokenCache(0);
  cache.set('a', claims(Math.floor(Date.now() / 1000) + 900));
  assert.equal(cache.get('a'), undefined);
});
