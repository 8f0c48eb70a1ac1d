import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { parseOptions } from '@node-rs/argon2';
import { ARGON2_OPTIONS, PasswordHasher } from './passwords.ts';

describe('PasswordHasher', () => {
  let hasher: PasswordHasher;
  before(async () => {
    hasher = await PasswordHasher.create();
  });

  it('hashes with argon2id and the OWASP minimum parameters', async () => {
    const stored = await hasher.hash('correct horse battery');
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const options = parseOptions(stored);
    assert.equal(options.memoryCost, ARGON2_OPTIONS.memoryCost);
    assert.equal(options.timeCost, ARGON2_OPTIONS.timeCost);
    assert.equal(options.parallelism, ARGON2_OPTIONS.parallelism);
    assert.equal(options.saltLen, 16);
  });

  it('salts each hash', async () => {
    const first = await hasher.hash('same password');
    const second = await hasher.hash('same password');
    assert.notEqual(first, second);
  });

  it('verifies the right password only', async () => {
    const stored = await hasher.hash('correct horse battery');
    assert.equal(await hasher.verify(stored, 'correct horse battery'), true);
    assert.equal(await hasher.verify(stored, 'correct horse batterY'), false);
    assert.equal(await hasher.verify(stored, ''), false);
  });

  it('verifies non-ASCII passwords', async () => {
    const stored = await hasher.hash('pässwörd-密码-🔑');
    assert.equal(await hasher.verify(stored, 'pässwörd-密码-🔑'), true);
    assert.equal(await hasher.verify(stored, 'passwort-密码-🔑'), false);
  });

  it('rejects every password for an unknown user', async () => {
    assert.equal(await hasher.verifyUnknownUser('anything at all'), false);
    assert.equal(await hasher.verifyUnknownUser(''), false);
  });
});
