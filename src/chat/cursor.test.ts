import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../common/errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

test('cursor round trip', () => {
  for (const id of ['1', '42', '9223372036854775807']) assert.equal(decodeCursor(encodeCursor(id)), id);
});

test('cursor is opaque text', () => {
  assert.doesNotMatch(encodeCursor('42'), /42/);
  assert.match(encodeCursor('42'), /^[A-Za-z0-9_-]+$/);
});

test('invalid cursors are rejected naming the field', () => {
  const invalid = [
    '',
    'not base64!',
    Buffer.from('42').toString('base64url'),
    encodeCursor('0'),
    encodeCursor('-1'),
    encodeCursor('9223372036854775808'),
    encodeCursor('12abc'),
    `${encodeCursor('42')}=`,
    'x'.repeat(100),
  ];
  for (const cursor of invalid) {
    assert.throws(
      () => decodeCursor(cursor),
      (error: unknown) => error instanceof AppError && error.code === 'VALIDATION_FAILED' && error.details?.[0]?.field === 'cursor',
      `accepted ${JSON.stringify(cursor)}`,
    );
  }
});
