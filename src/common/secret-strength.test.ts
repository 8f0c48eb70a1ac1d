import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { weakSecretReason } from './secret-strength.ts';

test('weakSecretReason accepts generated secrets', () => {
  for (let round = 0; round < 20; round += 1) {
    const secret = randomBytes(32).toString('base64url');
    assert.equal(weakSecretReason(secret), undefined, secret);
  }
});

test('weakSecretReason names each weakness', () => {
  const cases: Array<[string, RegExp]> = [
    ['short', /too short/],
    ['secret', /too short/],
    ['my-super-secret-jwt-key-for-production-0123', /placeholder word "secret"/],
    ['changeme-changeme-changeme-changeme-1234', /placeholder word "changeme"/],
    ['Password1Password1Password1Password1', /placeholder word "password"/],
    ['a'.repeat(48), /distinct characters/],
    ['0123456789abcdef0123456789abcdef0123456789abcdef', /repeats a short pattern/],
    ['abababababababababababababababababab', /distinct characters/],
  ];
  for (const [secret, reason] of cases) assert.match(weakSecretReason(secret) ?? 'accepted', reason, secret);
});
