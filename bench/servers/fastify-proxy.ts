/**
 * @fastify/http-proxy with no other plugin and logging off: maps
 * `/api/chat/*` to the upstream's `/mad-scientist/*`, like the gateway route.
 */
import httpProxy from '@fastify/http-proxy';
import Fastify from 'fastify';
import { closeOnSignal, reportReady, requireEnv } from './lifecycle.ts';

const app = Fastify({ logger: false });
await app.register(httpProxy, {
  upstream: requireEnv('BENCH_UPSTREAM_URL'),
  prefix: '/api/chat',
  rewritePrefix: '/mad-scientist',
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
reportReady(address.port);
closeOnSignal(() => app.close());
