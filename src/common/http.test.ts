/**
 * The shared service setup over real HTTP: a service made by createService
 * on a free loopback port, with routes of several kinds, returns 405 or 404
 * in the common error format for requests that no route handles.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createService, sendNoRoute } from './http.ts';
import { createLogger } from './logger.ts';

let app: FastifyInstance;
let baseUrl: string;

before(async () => {
  app = createService({ logger: createLogger({ service: 'test', level: 'silent' }) });
  app.post('/login', async () => ({ ok: true }));
  app.get('/avatars/:id', async () => ({ ok: true }));
  app.route({ method: ['PUT', 'DELETE'], url: '/legacy/*', handler: async () => ({ ok: true }) });
  // A catch-all such as the gateway's web client fallback, which sends the no-route error itself.
  app.get('/*', async (request, reply) => sendNoRoute(request, reply));
  await app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

after(() => app.close());

async function assertMethodNotAllowed(method: string, path: string, allow: string): Promise<void> {
  const response = await fetch(baseUrl + path, { method });
  const label = `${method} ${path}`;
  assert.equal(response.status, 405, label);
  assert.equal(response.headers.get('allow'), allow, label);
  if (method === 'HEAD') return;
  const body = await response.json();
  assert.equal(body.error.code, 'METHOD_NOT_ALLOWED', label);
  assert.match(body.error.message, new RegExp(`Allowed methods: ${allow}\\.$`), label);
  assert.equal(body.meta.request_id, response.headers.get('x-request-id'), label);
}

async function assertNotFound(method: string, path: string): Promise<void> {
  const response = await fetch(baseUrl + path, { method });
  const label = `${method} ${path}`;
  assert.equal(response.status, 404, label);
  assert.equal(response.headers.get('allow'), null, label);
  assert.equal((await response.json()).error.code, 'NOT_FOUND', label);
}

describe('request no route handles', () => {
  test('static route under another method is 405', async () => {
    await assertMethodNotAllowed('DELETE', '/login', 'POST');
    await assertMethodNotAllowed('PUT', '/login?next=/', 'POST');
  });

  test('GET reaching the catch-all is 405', async () => {
    await assertMethodNotAllowed('GET', '/login', 'POST');
  });

  test('HEAD on a POST route is 405', async () => {
    await assertMethodNotAllowed('HEAD', '/login', 'POST');
  });

  test('parametric route lists GET and HEAD', async () => {
    await assertMethodNotAllowed('POST', '/avatars/42', 'GET, HEAD');
    await assertMethodNotAllowed('DELETE', '/avatars/a%20b', 'GET, HEAD');
  });

  test('wildcard route under a prefix is 405', async () => {
    await assertMethodNotAllowed('POST', '/legacy/any/depth', 'DELETE, PUT');
  });

  test('path without any route is 404', async () => {
    await assertNotFound('DELETE', '/nothing/here');
    await assertNotFound('GET', '/nothing/here');
    await assertNotFound('POST', '/caf%C3%A9/menu');
    await assertNotFound('POST', '/avatars/42/extra');
  });
});
