import { AppError } from '../../common/errors.ts';

/**
 * Forms that let a path escape its route prefix once some server decodes or
 * normalises it: dot segments, their percent-encoded forms, encoded slashes
 * and backslashes, a doubly encoded `%`, control characters and empty
 * segments. The gateway passes paths to the services byte for byte, so it
 * rejects these instead of hoping every service treats them alike.
 */
const FORBIDDEN_ENCODINGS = /%(?:2e|2f|5c|25|0[0-9a-f]|1[0-9a-f]|7f)/i;
/** A whole segment that is `.` or `..`. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/**
 * Throws NOT_FOUND when the path part of `url` could leave the prefix it was
 * routed by: such a path names no route of the public API.
 */
export function checkPath(url: string): void {
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  if (path.includes('\\')) throw pathError('a backslash');
  if (FORBIDDEN_ENCODINGS.test(path)) throw pathError('an encoded dot, slash, backslash, percent sign or control character');
  if (path.includes('//')) throw pathError('an empty segment');
  if (DOT_SEGMENT.test(path)) throw pathError('a dot segment');
}

function pathError(reason: string): AppError {
  return new AppError('NOT_FOUND', `No route matches a path that contains ${reason}.`);
}
