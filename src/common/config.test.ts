import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, readBoolean, readDatabaseUrl, readHttpUrl, readInteger, readLogLevel, readPort } from './config.ts';

test('readInteger names the variable and the range', () => {
  assert.equal(readInteger({}, 'N', 7), 7);
  assert.equal(readInteger({ N: ' 12 ' }, 'N', 7), 12);
  assert.throws(() => readInteger({ N: '1.5' }, 'N', 7, { min: 0, max: 10 }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.variable, 'N');
    assert.match(error.message, /^N: invalid value "1\.5": expected a whole number from 0 to 10$/);
    return true;
  });
  assert.throws(() => readInteger({ N: '11' }, 'N', 7, { min: 0, max: 10 }), ConfigError);
});

test('readPort rejects values outside 0..65535', () => {
  assert.equal(readPort({ PORT: '0' }, 'PORT', 4000), 0);
  assert.throws(() => readPort({ PORT: '70000' }, 'PORT', 4000), /PORT: invalid value "70000"/);
  assert.throws(() => readPort({ PORT: 'http' }, 'PORT', 4000), /PORT/);
});

test('readHttpUrl accepts http and https only', () => {
  assert.equal(readHttpUrl({ U: 'http://127.0.0.1:5000/' }, 'U', 'http://x'), 'http://127.0.0.1:5000');
  assert.throws(() => readHttpUrl({ U: 'ftp://host' }, 'U', 'http://x'), /U: invalid value "ftp:\/\/host"/);
  assert.throws(() => readHttpUrl({ U: 'not a url' }, 'U', 'http://x'), ConfigError);
});

test('readDatabaseUrl hides the value in its message', () => {
  assert.equal(readDatabaseUrl({}, 'DATABASE_URL'), undefined);
  assert.throws(() => readDatabaseUrl({ DATABASE_URL: 'mysql://user:secret@h/db' }, 'DATABASE_URL'), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.doesNotMatch(error.message, /secret/);
    return true;
  });
});

test('readBoolean and readLogLevel reject unknown words', () => {
  assert.equal(readBoolean({ B: 'yes' }, 'B', false), true);
  assert.throws(() => readBoolean({ B: 'maybe' }, 'B', false), /B: invalid value "maybe": expected true or false/);
  assert.equal(readLogLevel({}), 'info');
  assert.throws(() => readLogLevel({ LOG_LEVEL: 'loud' }), /LOG_LEVEL: invalid value "loud": expected one of/);
});
