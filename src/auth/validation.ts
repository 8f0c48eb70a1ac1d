import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

type BodyValidator = ReturnType<FastifySchemaCompiler<unknown>>;

/**
 * Body validation without type coercion. The shared Fastify instance coerces
 * types (`coerceTypes: 'array'`, which query strings need), and that would
 * turn `{"password": 12345678}` into a string. Here a wrong type is an error.
 *
 * A schema may give a `message` for its pattern or format error. Otherwise
 * the error keeps Ajv's own wording ("must match pattern ...").
 */
const ajv = new Ajv({ allErrors: true, coerceTypes: false, useDefaults: true, removeAdditional: false, verbose: true });
addFormats.default(ajv, ['email']);
ajv.addKeyword({ keyword: 'message', schemaType: 'string' });

function withSchemaMessages(errors: ErrorObject[] | null | undefined): ErrorObject[] | null | undefined {
  return errors?.map((error) => {
    const message = (error.parentSchema as { message?: unknown } | undefined)?.message;
    const replaceable = error.keyword === 'pattern' || error.keyword === 'format';
    return replaceable && typeof message === 'string' ? { ...error, message } : error;
  });
}

/** Compiles a route's body schema; pass it as the route's `validatorCompiler` option. */
export const strictBodyCompiler: FastifySchemaCompiler<unknown> = ({ schema }) => {
  const compiled = ajv.compile(schema as object);
  const validateBody: BodyValidator = (data: unknown) => {
    const valid = compiled(data);
    validateBody.errors = withSchemaMessages(compiled.errors) as BodyValidator['errors'];
    return valid;
  };
  return validateBody;
};
