/**
 * The fixed upstream behind every system: plain node:http with keep-alive.
 * It serves in place of the chat service's `GET /mad-scientist/history` and
 * returns a small fixed JSON body for every path, unless
 * BENCH_UPSTREAM_ROUTES gives a path its own body and delay.
 *
 * BENCH_UPSTREAM_ROUTES: JSON object, path (without query) -> {delayMs, body}.
 */
import { createServer, type ServerResponse } from 'node:http';
import { HISTORY_BODY } from './bodies.ts';
import { closeOnSignal, reportReady } from './lifecycle.ts';

interface RouteSpec {
  delayMs: number;
  body: unknown;
}

const defaultBody = Buffer.from(JSON.stringify(HISTORY_BODY));
const routes = new Map<string, { delayMs: number; body: Buffer }>();
for (const [path, spec] of Object.entries(JSON.parse(process.env.BENCH_UPSTREAM_ROUTES ?? '{}') as Record<string, RouteSpec>)) {
  routes.set(path, { delayMs: spec.delayMs, body: Buffer.from(JSON.stringify(spec.body)) });
}

function send(response: ServerResponse, body: Buffer): void {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  response.end(body);
}

const server = createServer({ keepAlive: true, keepAliveTimeout: 120_000 }, (request, response) => {
  // The request body, if any, is drained so the connection stays reusable.
  request.resume();
  const path = (request.url ?? '/').split('?')[0];
  const route = routes.get(path);
  if (!route) return send(response, defaultBody);
  if (route.delayMs <= 0) return send(response, route.body);
  setTimeout(() => send(response, route.body), route.delayMs);
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the upstream has no TCP address');
  reportReady(address.port);
});

closeOnSignal(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);
