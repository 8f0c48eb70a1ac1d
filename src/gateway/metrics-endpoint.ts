/**
 * Metrics endpoints and request counting. GET /metrics is off the public port
 * by default. METRICS_PORT opens a separate listener for Prometheus (on
 * METRICS_HOST, loopback by default), and METRICS_ON_PUBLIC_PORT=true adds
 * the route to the gateway's own port. With neither, no metric is recorded.
 */
import { createServer, type Server } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readBoolean, readOptionalString, readPort, readString, type Env } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import { UNMATCHED_ROUTE, type GatewayMetrics } from './metrics.ts';

export interface MetricsSettings {
  /** Port of the separate metrics listener; null for none. */
  port: number | null;
  host: string;
  onPublicPort: boolean;
}

export function readMetricsSettings(env: Env): MetricsSettings {
  return {
    port: readOptionalString(env, 'METRICS_PORT') === undefined ? null : readPort(env, 'METRICS_PORT', 0),
    host: readString(env, 'METRICS_HOST', '127.0.0.1'),
    onPublicPort: readBoolean(env, 'METRICS_ON_PUBLIC_PORT', false),
  };
}

/** Returns whether any endpoint serves the metrics, so that recording them is worth its cost. */
export function metricsEnabled(settings: MetricsSettings): boolean {
  return settings.port !== null || settings.onPublicPort;
}

/**
 * Counts every completed request by route pattern, method and status, and
 * adds GET /metrics to the public port when configured.
 */
export function registerMetrics(app: FastifyInstance, metrics: GatewayMetrics, settings: MetricsSettings): void {
  app.addHook('onResponse', function recordRequest(request: FastifyRequest, reply: FastifyReply, done: () => void) {
    metrics.observeRequest(request.routeUrl ?? UNMATCHED_ROUTE, request.method, reply.statusCode, reply.elapsedTime);
    done();
  });
  if (settings.onPublicPort) {
    app.get('/metrics', async function serveMetrics(_request, reply) {
      const text = await metrics.render();
      return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(text);
    });
  }
}

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/** Starts the separate listener: GET /metrics returns the exposition text, any other path 404. */
export async function startMetricsListener(metrics: GatewayMetrics, settings: MetricsSettings, logger: Logger): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: the metrics are at GET /metrics.\n');
      return;
    }
    metrics.render().then(
      (text) => {
        response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'metrics could not be collected');
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('The metrics could not be collected.\n');
      },
    );
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port ?? 0, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  let host = settings.host;
  if (host === '0.0.0.0') host = '127.0.0.1';
  else if (host.includes(':')) host = `[${host}]`;
  const url = `http://${host}:${port}/metrics`;
  logger.info({ url }, 'metrics listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
