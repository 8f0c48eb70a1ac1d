import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
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

function revocationFile(t: TestContext): string {
  const folder = mkdtempSync(join(tmpdir(), 'revocations-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  return join(folder, 'revoked-access-tokens.jsonl');
}

test('revocation file keeps the list across a restart', (t) => {
  const file = revocationFile(t);
  const clock = { now: 1_700_000_000_000 };
  const nowSeconds = Math.floor(clock.now / 1000);
  const first = new MemoryRevocationList({ file, now: () => clock.now });
  first.revoke('short', nowSeconds + 10);
  first.revoke('long', nowSeconds + 100);
  first.close();

  clock.now += 20_000;
  const second = new MemoryRevocationList({ file, now: () => clock.now });
  t.after(() => second.close());
  assert.equal(second.isRevoked('long'), true);
  assert.equal(second.isRevoked('short'), false);
  // The expired entry is left out of the rewritten file.
  assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line).jti), ['long']);
});

test('revocation file skips a line cut short and other garbage', (t) => {
  const file = revocationFile(t);
  const expiresAtMs = Date.now() + 60_000;
  appendFileSync(file, `${JSON.stringify({ jti: 'kept', expiresAtMs })}\nnot json\n{"jti":42,"expiresAtMs":1}\n\n{"jti":"cut","expi`);
  const list = new MemoryRevocationList({ file });
  t.after(() => list.close());
  assert.equal(list.size, 1);
  assert.equal(list.isRevoked('kept'), true);
  list.revoke('added', Math.floor(expiresAtMs / 1000));
  assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line).jti), ['kept', 'added']);
});

test('revocation file that cannot be written leaves the list in memory', (t) => {
  const errors: string[] = [];
  // A path below a folder that does not exist: every write fails.
  const file = join(revocationFile(t), 'missing', 'list.jsonl');
  const list = new MemoryRevocationList({ file, logger: { error: (_fields: unknown, message: string) => errors.push(message) } as never });
  t.after(() => list.close());
  list.revoke('jti-1', Math.floor(Date.now() / 1000) + 60);
  assert.equal(list.isRevoked('jti-1'), true);
  assert.equal(errors.length, 1);
  assert.match(errors[0], /could not save a revoked access token/);
});
