/**
 * The OpenAPI 3.1 document of the public API, generated from the route list
 * (routes.ts), the request schemas that validate requests (schemas.ts) and
 * the response schemas (response-schemas.ts). It is served at
 * GET /openapi.json, with a Swagger UI reference page at /docs.
 */
import { readFileSync } from 'node:fs';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { DEFAULT_CONTENT_SECURITY_POLICY } from './edge/security-headers.ts';
import { errorResponse, SUCCESS_RESPONSES } from './response-schemas.ts';
import { PROXY_ROUTES } from './routes.ts';
import { REQUEST_SCHEMAS, type JsonSchema } from './schemas.ts';

/**
 * The Content-Security-Policy of the /docs pages: the gateway's default
 * policy with data: images added, because swagger-ui.css draws its icons as
 * data: URLs, and an image cannot run code. Inline styles stay blocked.
 */
export const API_DOCS_CONTENT_SECURITY_POLICY = DEFAULT_CONTENT_SECURITY_POLICY.replace("img-src 'self'", "img-src 'self' data:");

/** One public route as the document lists it. */
export interface PublicRoute {
  method: string;
  url: string;
  token: boolean;
  tag: 'auth' | 'chat' | 'dashboard' | 'system';
}

const SUMMARIES: Readonly<Record<string, string>> = {
  'POST /api/auth/register': 'Create an account',
  'POST /api/auth/login': 'Sign in with username or email and password',
  'POST /api/auth/refresh': 'Exchange a refresh token for a new pair',
  'GET /api/auth/profile': 'Read the signed-in user',
  'POST /api/auth/logout': 'End the session and revoke the access token',
  'POST /api/auth/password': 'Change the password and end every other session',
  'POST /api/chat/message': 'Send a message and get the reply, as JSON or as server-sent events',
  'GET /api/chat/history': 'Read messages, newest first, one page at a time',
  'GET /api/chat/conversations': 'List the conversations',
  'GET /api/chat/avatar': 'Read the current avatar',
  'POST /api/chat/avatar': 'Make a new current avatar',
  'GET /api/chat/avatars/:file': 'Download an avatar image',
  'GET /api/dashboard': 'Read profile, recent history and avatar in one call',
  'GET /health': 'Report the health of the gateway and each service',
};

/**
 * Lists the public routes: every proxied route with a path mapping (the legacy
 * `/auth/*` and `/mad-scientist/*` paths are left out), the dashboard and
 * /health.
 */
export function publicRoutes(): PublicRoute[] {
  const routes: PublicRoute[] = [];
  for (const route of PROXY_ROUTES) {
    if (route.mapping === null) continue;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method, url: route.url, token: route.token, tag: route.upstream });
  }
  routes.push({ method: 'GET', url: '/api/dashboard', token: true, tag: 'dashboard' });
  routes.push({ method: 'GET', url: '/health', token: false, tag: 'system' });
  return routes;
}

/** Converts a Fastify path (`/a/:id`) to an OpenAPI path (`/a/{id}`). */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Removes the `message` keyword that the services' validators use for custom error texts. */
function cleanSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(cleanSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'message' && typeof value === 'string') continue;
    result[key] = cleanSchema(value);
  }
  return result;
}

function parametersOf(location: 'query' | 'path', schema: JsonSchema | undefined): unknown[] {
  if (!schema) return [];
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property as Record<string, unknown>;
    return { name, in: location, required: location === 'path' || required.has(name), description, schema: cleanSchema(rest) };
  });
}

const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

function operation(route: PublicRoute): Record<string, unknown> {
  const key = `${route.method} ${route.url}`;
  const success = SUCCESS_RESPONSES[key];
  const summary = SUMMARIES[key];
  if (!success || !summary) throw new TypeError(`the OpenAPI document has no response or summary for ${key}: add it to response-schemas.ts and openapi.ts`);
  const schemas = REQUEST_SCHEMAS[key] ?? {};

  const content: Record<string, unknown> = {};
  if (success.schema) content['application/json'] = { schema: cleanSchema(success.schema) };
  for (const [type, schema] of Object.entries(success.otherContent ?? {})) content[type] = { schema };
  const responses: Record<string, unknown> = {
    [String(success.status)]: { description: success.description, headers: { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } }, content },
  };
  if (route.token) {
    responses['401'] = {
      description: 'The access token is missing, invalid, expired or revoked (see error.code); WWW-Authenticate names the failure.',
      content: ERROR_CONTENT,
    };
  }
  responses['4XX'] = { description: 'The request was rejected; error.code names the reason.', content: ERROR_CONTENT };
  responses['5XX'] = { description: 'A service failed, timed out or is unavailable; error.code names which.', content: ERROR_CONTENT };

  const result: Record<string, unknown> = {
    operationId: operationId(route),
    summary,
    tags: [route.tag],
    parameters: [...parametersOf('path', schemas.params), ...parametersOf('query', schemas.querystring)],
    responses,
  };
  if (schemas.body) {
    const bodyAllowsNull = ([] as unknown[]).concat(schemas.body.type).includes('null');
    result.requestBody = { required: !bodyAllowsNull, content: { 'application/json': { schema: cleanSchema(schemas.body) } } };
  }
  result.security = route.token ? [{ bearerAuth: [] }] : [];
  return result;
}

/** Builds a stable operation id such as `postApiChatMessage`, for generated clients. */
function operationId(route: PublicRoute): string {
  const words = route.url.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return route.method.toLowerCase() + words.map((word) => word[0].toUpperCase() + word.slice(1)).join('');
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? '0.0.0';
}

/** Builds the OpenAPI 3.1 document of the public API. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of publicRoutes()) {
    const path = openApiPath(route.url);
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Mad Scientist API',
      version: packageVersion(),
      description:
        'The public API of the Mad Scientist chat system, served by the API gateway. Every JSON response is an object: ' +
        'success bodies carry `meta.request_id`, errors are `{error: {code, message, details?}, meta}`. ' +
        'Send `traceparent` (W3C Trace Context) to join a trace.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'auth', description: 'Accounts and tokens (auth service)' },
      { name: 'chat', description: 'Messages, history and avatars (chat service)' },
      { name: 'dashboard', description: 'Several services in one call' },
      { name: 'system', description: 'Health' },
    ],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: errorResponse },
      headers: { RequestId: { description: 'The request id, also in meta.request_id and on the log lines.', schema: { type: 'string' } } },
    },
  };
}

/** Serves the document at GET /openapi.json and the Swagger UI reference page at /docs. */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  const document = buildOpenApiDocument();
  const json = JSON.stringify(document);
  app.route({
    method: 'GET' as HTTPMethods,
    url: '/openapi.json',
    handler: async (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-cache').send(json),
  });
  await app.register(fastifySwagger, { mode: 'static', specification: { document: document as never } });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    staticCSP: API_DOCS_CONTENT_SECURITY_POLICY,
    // The standalone layout's top bar draws the Swagger logo with an inline <style>, which the policy blocks.
    uiConfig: { deepLinking: true, layout: 'BaseLayout' },
  });
}
