import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryRevocationList } from './revocation-list.ts';

function listAt(clockToleranceSeconds = 0) {
  const clock = { now: 1_700_000_000_000 };
  const list = new MemoryRevocationList({ clockToleranceSeconds, now: () => clock.now });
  return { list, clock, nowSeconds: () => Math.floor(clock.now / 1000) };
}

test('revocation list refuses a jti until its token expires', (t) => {
  const { list, clock, nowSeconds } = listAt();
  t.after(() => list.close());
  list.revoke('jti-1', nowSeconds() + 60);
  assert.equal(list.isRevoked('jti-1'), true);
  assert.equal(list.isRevoked('jti-2'), false);
  clock.now += 60_000;
  assert.equal(list.isRevoked('jti-1'), false);
  assert.equal(list.size, 0);
});

test('revocation list keeps an entry through the clock tolerance', (t) => {
  const { list, clock, nowSeconds } = listAt(30);
  t.after(() => list.close());
  list.revoke('jti-1', nowSeconds() + 60);
  clock.now += 75_000;
  // The verifier still accepts the token 15 s past exp, so the list must still refuse it.
  assert.equal(list.isRevoked('jti-1'), true);
  clock.now += 15_000;
  assert.equal(list.isRevoked('jti-1'), false);
});

test('revocation list ignores an already expired token', (t) => {
  const { list, nowSeconds } = listAt();
  t.after(() => list.close());
  list.revoke('jti-1', nowSeconds() - 1);
  assert.equal(list.size, 0);
});

test('revocation list sweep removes expired entries', (t) => {
  const { list, clock, nowSeconds } = listAt();
  t.after(() => list.close());
  list.revoke('short', nowSeconds() + 10);
  list.revoke('long', nowSeconds() + 100);
  clock.now += 20_000;
  list.sweep();
  assert.equal(list.size, 1);
  assert.equal(list.isRevoked('long'), true);
});
