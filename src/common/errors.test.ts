import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AppError, ERROR_CODES, errorBody, errorJson } from './errors.ts';

test('error registry matches docs/errors.md', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Map<string, number>();
  for (const match of doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)) documented.set(match[1], Number(match[2]));
  const registered = new Map(Object.entries(ERROR_CODES).map(([code, entry]) => [code, entry.status]));
  assert.deepEqual([...documented.entries()].sort(), [...registered.entries()].sort());
});

test('error codes are upper case with a 4xx or 5xx status', () => {
  for (const [code, entry] of Object.entries(ERROR_CODES)) {
    assert.match(code, /^[A-Z][A-Z_]+$/);
    assert.ok(entry.status >= 400 && entry.status < 600, `${code} has status ${entry.status}`);
  }
});

test('AppError takes its status from the registry', () => {
  const error = new AppError('UPSTREAM_TIMEOUT');
  assert.equal(error.statusCode, 504);
  assert.equal(error.message, ERROR_CODES.UPSTREAM_TIMEOUT.message);
});

test('errorBody omits empty details', () => {
  assert.deepEqual(errorBody('NOT_FOUND', 'gone', 'r1', []), { error: { code: 'NOT_FOUND', message: 'gone' }, meta: { request_id: 'r1' } });
  assert.deepEqual(JSON.parse(errorJson('CONFLICT', 'r2')).error.code, 'CONFLICT');
});
