import { AppError } from '../common/errors.ts';

const PREFIX = 'm1:';
const MAX_BIGINT = 9223372036854775807n;

/**
 * Encodes a history position as an opaque cursor: base64url of a version tag
 * and the id of the last message on the page. Clients must not parse it; the
 * tag lets the format change later.
 */
export function encodeCursor(messageId: string): string {
  return Buffer.from(`${PREFIX}${messageId}`, 'utf8').toString('base64url');
}

/** Returns the message id inside a cursor; throws VALIDATION_FAILED naming `cursor` when it is not one. */
export function decodeCursor(cursor: string): string {
  const invalid = new AppError('VALIDATION_FAILED', 'Invalid cursor.', {
    details: [{ field: 'cursor', message: 'must be a next_cursor value returned by this endpoint' }],
  });
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) throw invalid;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith(PREFIX)) throw invalid;
  const id = decoded.slice(PREFIX.length);
  if (!/^[1-9]\d{0,18}$/.test(id) || BigInt(id) > MAX_BIGINT) throw invalid;
  // Re-encoding must give the same text, so one position has exactly one cursor.
  if (encodeCursor(id) !== cursor) throw invalid;
  return id;
}
