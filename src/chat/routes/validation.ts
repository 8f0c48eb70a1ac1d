import { AppError } from '../../common/errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function validationError(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `Invalid ${field}.`, { details: [{ field, message }] });
}

/** Returns a UUID in lower case, undefined for a missing or empty value, and throws VALIDATION_FAILED otherwise. */
export function readOptionalUuid(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !UUID.test(value)) throw validationError(field, 'must be a UUID');
  return value.toLowerCase();
}
