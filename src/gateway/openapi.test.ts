import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import Fastify, { type RouteOptions } from 'fastify';
import { AVATAR_STYLES as CHAT_AVATAR_STYLES } from '../chat/avatars/generator.ts';
import { DEFAULT_HISTORY_LIMIT as CHAT_DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT as CHAT_MAX_HISTORY_LIMIT } from '../chat/routes/history.ts';
import { MAX_MESSAGE_LENGTH as CHAT_MAX_MESSAGE_LENGTH } from '../chat/routes/message.ts';
import { createLogger } from '../common/logger.ts';
import { readGatewayConfig } from './config.ts';
import type { HealthMonitor } from './health.ts';
import { DEFAULT_CONTENT_SECURITY_POLICY } from './edge/security-headers.ts';
import { API_DOCS_CONTENT_SECURITY_POLICY, buildOpenApiDocument, openApiPath } from './openapi.ts';
import { MemoryRevocationList } from './revocation-list.ts';
import { registerRoutes } from './routes.ts';
import { AVATAR_STYLES, DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT, MAX_MESSAGE_LENGTH, REQUEST_SCHEMAS } from './schemas.ts';
import { FakeUpstream, startTestGateway } from './test-support.ts';
import { createUpstreams } from './upstream.ts';

type Operation = { operationId: string; security: unknown[]; requestBody?: { content: Record<string, { schema: object }> }; responses: Record<string, any>; parameters: any[] };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } };

/** Every route that routes.ts registers, as `METHOD url`, collected with an onRoute hook. */
async function registeredRoutes(): Promise<string[]> {
  const app = Fastify();
  const seen: string[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of ([] as string[]).concat(route.method)) seen.push(`${method} ${route.url}`);
  });
  const config = readGatewayConfig({});
  const upstreams = createUpstreams(config, createLogger({ service: 'gateway', level: 'silent' }));
  const revocations = new MemoryRevocationList();
  try {
    registerRoutes(app, {
      config,
      upstreams,
      pipeline: async () => {},
      authenticate: async () => {},
      revocations,
      health: {} as HealthMonitor,
    });
    await app.ready();
  } finally {
    revocations.close();
    await app.close();
    await Promise.all(Object.values(upstreams).map((upstream) => upstream.close()));
  }
  return seen;
}

const isPublic = (route: string) => {
  const url = route.split(' ')[1];
  return url.startsWith('/api/') || url === '/health';
};

test('openapi lists every public route of routes.ts', async () => {
  const document = buildOpenApiDocument() as Document;
  const routes = (await registeredRoutes()).filter((route) => isPublic(route) && !route.startsWith('HEAD '));
  assert.ok(routes.length >= 13, `only ${routes.length} public routes found`);
  for (const route of routes) {
    const [method, url] = route.split(' ');
    assert.ok(document.paths[openApiPath(url)]?.[method.toLowerCase()], `${route} is missing from the OpenAPI document`);
  }
});

test('openapi lists no route that is not registered', async () => {
  const document = buildOpenApiDocument() as Document;
  const routes = new Set((await registeredRoutes()).map((route) => {
    const [method, url] = route.split(' ');
    return `${method} ${openApiPath(url)}`;
  }));
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const method of Object.keys(operations)) assert.ok(routes.has(`${method.toUpperCase()} ${path}`), `${method} ${path} is documented but not registered`);
  }
});

test('openapi document is version 3.1 with valid schemas', () => {
  const document = buildOpenApiDocument() as Document;
  assert.equal(document.openapi, '3.1.0');
  const ajv = new Ajv2020({ strict: false });
  addFormats.default(ajv);
  ajv.addSchema(document.components.schemas.Error, '#/components/schemas/Error');
  const ids = new Set<string>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const where = `${method} ${path}`;
      assert.ok(!ids.has(operation.operationId), `duplicate operationId ${operation.operationId}`);
      ids.add(operation.operationId);
      for (const media of Object.values(operation.requestBody?.content ?? {})) assert.doesNotThrow(() => ajv.compile(media.schema), where);
      for (const response of Object.values(operation.responses)) {
        for (const media of Object.values<{ schema: any }>(response.content ?? {})) {
          if (media.schema.$ref) continue;
          assert.doesNotThrow(() => ajv.compile(media.schema), where);
        }
      }
    }
  }
});

test('openapi marks the routes that need a token', () => {
  const document = buildOpenApiDocument() as Document;
  assert.deepEqual(document.paths['/api/chat/history'].get.security, [{ bearerAuth: [] }]);
  assert.ok(document.paths['/api/chat/history'].get.responses['401']);
  assert.deepEqual(document.paths['/api/auth/login'].post.security, []);
  assert.equal(document.paths['/api/chat/avatars/{file}'].get.parameters[0].in, 'path');
  assert.ok(document.paths['/api/chat/message'].post.responses['201'].content['text/event-stream']);
});

test('openapi request schemas are the validated ones', () => {
  const document = buildOpenApiDocument() as Document;
  const login = document.paths['/api/auth/login'].post.requestBody!.content['application/json'].schema as { required: string[] };
  assert.deepEqual(login.required, (REQUEST_SCHEMAS['POST /api/auth/login'].body as { required: string[] }).required);
  const history = document.paths['/api/chat/history'].get.parameters.map((parameter: { name: string }) => parameter.name);
  assert.deepEqual(history.sort(), ['conversation_id', 'cursor', 'limit']);
});

test('chat limits match the chat service', () => {
  assert.equal(MAX_MESSAGE_LENGTH, CHAT_MAX_MESSAGE_LENGTH);
  assert.equal(MAX_HISTORY_LIMIT, CHAT_MAX_HISTORY_LIMIT);
  assert.equal(DEFAULT_HISTORY_LIMIT, CHAT_DEFAULT_HISTORY_LIMIT);
  assert.deepEqual([...AVATAR_STYLES], [...CHAT_AVATAR_STYLES]);
});

test('gateway serves the document and the reference page', async (t) => {
  const upstream = await FakeUpstream.start();
  const gateway = await startTestGateway({ auth: upstream.url, chat: upstream.url });
  t.after(async () => {
    await gateway.close();
    await upstream.stop();
  });

  const response = await fetch(`${gateway.url}/openapi.json`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await response.json(), JSON.parse(JSON.stringify(buildOpenApiDocument())));

  const page = await fetch(`${gateway.url}/docs/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(await page.text(), /swagger-ui/i);
});

test('docs pages alone allow data: images', async (t) => {
  const upstream = await FakeUpstream.start();
  const gateway = await startTestGateway({ auth: upstream.url, chat: upstream.url });
  t.after(async () => {
    await gateway.close();
    await upstream.stop();
  });

  const expected = DEFAULT_CONTENT_SECURITY_POLICY.replace("img-src 'self'", "img-src 'self' data:");
  assert.notEqual(expected, DEFAULT_CONTENT_SECURITY_POLICY);
  assert.equal(API_DOCS_CONTENT_SECURITY_POLICY, expected);
  for (const path of ['/docs', '/docs/', '/docs/static/swagger-ui.css', '/docs/static/swagger-initializer.js']) {
    const response = await fetch(gateway.url + path);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('content-security-policy'), expected, path);
  }
  for (const path of ['/openapi.json', '/health', '/api/unknown']) {
    const response = await fetch(gateway.url + path);
    assert.equal(response.headers.get('content-security-policy'), DEFAULT_CONTENT_SECURITY_POLICY, path);
  }
});
