import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { AppError, type ErrorDetail } from '../common/errors.ts';
import type { JsonSchema, RequestSchemas } from './schemas.ts';

/**
 * Validates requests against the public API's schemas at the gateway, before
 * anything is proxied. Bodies are checked without type coercion, the way the
 * services check them, so `{"password": 12345678}` is refused here too.
 * Query strings arrive as text and are coerced on a copy, so the URL passed
 * on stays as the client sent it.
 */
function createAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: false, removeAdditional: false, verbose: true, strict: false });
  addFormats.default(ajv, ['email', 'uuid']);
  // The services' schemas carry a `message` text for pattern and format errors.
  ajv.addKeyword({ keyword: 'message', schemaType: 'string' });
  return ajv;
}

const bodyAjv = createAjv(false);
const queryAjv = createAjv(true);

function detailsOf(errors: ErrorObject[] | null | undefined, location: string): ErrorDetail[] {
  return (errors ?? []).map((issue) => {
    const params = issue.params as Record<string, unknown>;
    let field = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (typeof params.missingProperty === 'string') field = field ? `${field}.${params.missingProperty}` : params.missingProperty;
    const custom = (issue.parentSchema as { message?: unknown } | undefined)?.message;
    const replaceable = issue.keyword === 'pattern' || issue.keyword === 'format';
    const message = replaceable && typeof custom === 'string' ? custom : issue.message ?? 'is invalid';
    return { field: field || location, message };
  });
}

function failure(details: ErrorDetail[]): AppError {
  const fields = [...new Set(details.map((detail) => detail.field))];
  return new AppError('VALIDATION_FAILED', `Invalid ${fields.join(', ')}.`, { details });
}

/**
 * Copies parsed query or path parameters, whose values are strings or arrays
 * of strings, for a coercing validator to change. A shallow copy with the
 * arrays copied too is all it needs, and costs less than structuredClone.
 */
function copyOfStrings(values: unknown): Record<string, unknown> {
  // Without a prototype, a parameter named __proto__ stays an ordinary field, as in the parsed query.
  const copy = Object.create(null) as Record<string, unknown>;
  if (values === null || typeof values !== 'object') return copy;
  for (const [name, value] of Object.entries(values)) copy[name] = Array.isArray(value) ? value.slice() : value;
  return copy;
}

/** The compiled checks of one route. */
export class RouteValidator {
  readonly #body: ValidateFunction | null;
  readonly #query: ValidateFunction | null;
  readonly #params: ValidateFunction | null;
  /** Whether the body schema accepts JSON `null`, which makes the body itself optional. */
  readonly bodyNullable: boolean;

  constructor(schemas: RequestSchemas) {
    this.#body = schemas.body ? bodyAjv.compile(schemas.body as object) : null;
    this.#query = schemas.querystring ? queryAjv.compile(schemas.querystring as object) : null;
    this.#params = schemas.params ? queryAjv.compile(schemas.params as object) : null;
    this.bodyNullable = schemas.body ? ([] as unknown[]).concat((schemas.body as JsonSchema).type).includes('null') : true;
  }

  get hasBodySchema(): boolean {
    return this.#body !== null;
  }

  /** Throws VALIDATION_FAILED naming each invalid field of a parsed JSON body. */
  checkBody(body: unknown): void {
    if (this.#body && !this.#body(body)) throw failure(detailsOf(this.#body.errors, 'body'));
  }

  /** Throws VALIDATION_FAILED naming each invalid query parameter; `query` is not modified. */
  checkQuery(query: unknown): void {
    if (this.#query && !this.#query(copyOfStrings(query))) throw failure(detailsOf(this.#query.errors, 'querystring'));
  }

  /** Throws NOT_FOUND when the path parameters do not match, as for a route that does not exist. */
  checkParams(params: unknown, method: string, path: string): void {
    if (this.#params && !this.#params(copyOfStrings(params))) throw new AppError('NOT_FOUND', `No route matches ${method} ${path}.`);
  }
}
