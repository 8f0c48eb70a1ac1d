import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Env } from '../common/config.ts';
import { dataDirectory } from '../common/data-dir.ts';
import { createService } from '../common/http.ts';
import { createAccessTokenVerifier, readJwtSettings } from '../common/jwt.ts';
import { createLogger, type Logger } from '../common/logger.ts';
import { createAuthenticate, createIdentify } from './authenticate.ts';
import { readGatewayConfig } from './config.ts';
import { edgeServerOptions, registerEdge } from './edge/index.ts';
import { HealthMonitor } from './health.ts';
import { createLoadSheddingHook, LoadMonitor } from './load-shedding.ts';
import { GatewayMetrics } from './metrics.ts';
import { metricsEnabled, readMetricsSettings, registerMetrics, startMetricsListener, type MetricsListener } from './metrics-endpoint.ts';
import { registerApiDocs } from './openapi.ts';
import { createSpanRecorder, readOtelSettings } from './otel.ts';
import { buildHealthCheckPipeline, buildUpstreamPipeline } from './pipeline.ts';
import { RateLimiter } from './rate-limit.ts';
import { RedisRateLimitStore } from './rate-limit-redis.ts';
import { MemoryRateLimitStore } from './rate-limit-store.ts';
import { readRedisSettings, RedisConnection } from './redis.ts';
import { MemoryRevocationList, type RevocationList } from './revocation-list.ts';
import { RedisRevocationList } from './revocation-list-redis.ts';
import { readsBody, registerRequestPolicies } from './request-policies.ts';
import { registerRoutes } from './routes.ts';
import { closeGracefully } from './shutdown.ts';
import { GatewayTracing, registerTracing } from './tracing.ts';
import { TokenCache } from './token-cache.ts';
import { createUpstreams } from './upstream.ts';
import { registerWebClient } from './web-client.ts';

const SERVICE_NAME = 'gateway';
/** The in-memory revocation list's file in the data folder. */
export const REVOCATION_FILE = 'revoked-access-tokens.jsonl';

export interface GatewayOptions {
  /** A logger to use instead of one on stdout; tests pass one that writes to a stream they read. */
  logger?: Logger;
  /** A shared revocation list to use instead of the in-memory one. */
  revocations?: RevocationList;
  /** Clock of the circuit breakers' open periods, in milliseconds since the epoch; tests pass one they advance by hand. */
  breakerClock?: () => number;
}

export interface RunningGateway {
  app: FastifyInstance;
  /** The base URL, such as http://127.0.0.1:4000. */
  url: string;
  port: number;
  /** URL of the separate metrics listener (METRICS_PORT), or null when there is none. */
  metricsUrl: string | null;
  close(): Promise<void>;
}

/** Adds the upstream name and time to response headers to the access-log line. */
function upstreamLogFields(request: FastifyRequest): Record<string, unknown> | undefined {
  const calls = request.upstreamCalls;
  if (calls === null) return undefined;
  if (calls.length === 1) return calls[0].logFields();
  return { upstreams: calls.map((call) => call.logFields()) };
}

/** Leaves every request body unread, so the proxy streams it to the upstream as it arrives. */
function leaveBodyUnread(_request: FastifyRequest, _payload: unknown, done: (error: Error | null) => void): void {
  done(null);
}

/**
 * Starts the gateway: reads and validates `env` (a ConfigError names the bad
 * variable), creates a connection pool and circuit breaker per upstream,
 * registers the routes and the web client, listens on HOST:PORT and starts
 * the active health checks.
 */
export async function startGateway(env: Env, options: GatewayOptions = {}): Promise<RunningGateway> {
  const config = readGatewayConfig(env);
  const logger = options.logger ?? createLogger({ service: SERVICE_NAME, level: config.logLevel });
  const dataFolder = dataDirectory(env);
  const jwt = readJwtSettings(env, dataFolder, logger);

  const redisSettings = readRedisSettings(env);
  const metricsSettings = readMetricsSettings(env);
  const otelSettings = readOtelSettings(env, SERVICE_NAME);

  let metrics: GatewayMetrics | null = null;
  const upstreams = createUpstreams(config, logger, (name, transition) => {
    metrics?.recordBreakerTransition(name, transition);
    // Transitions come only from traffic and checks, so `health` is set by the time one happens.
    health.circuitChanged(upstreams[name]);
  }, options.breakerClock);
  // One Redis connection for every shared store (revocations, rate limits); null keeps them in memory.
  const redis = redisSettings ? await RedisConnection.open(redisSettings, logger) : null;
  if (redis && !(await redis.waitUntilReady(redisSettings!.connectTimeoutMs))) {
    logger.warn('redis is not reachable at start; the gateway starts and shared state follows its failure policy until it is');
  }
  const revocations =
    options.revocations ??
    (redis
      ? new RedisRevocationList({ connection: redis, failureMode: redisSettings!.revocationFailureMode, clockToleranceSeconds: jwt.clockToleranceSeconds, logger })
      : new MemoryRevocationList({
          clockToleranceSeconds: jwt.clockToleranceSeconds,
          // Kept in the data folder, so a restarted gateway still refuses the tokens of earlier logouts.
          file: join(dataFolder, REVOCATION_FILE),
          logger,
        }));
  if (metricsEnabled(metricsSettings)) metrics = new GatewayMetrics({ upstreams: Object.values(upstreams), redis });
  const tracing = new GatewayTracing(otelSettings ? await createSpanRecorder(otelSettings, logger) : null);
  const load = new LoadMonitor(config.loadShedding, logger);
  const health = new HealthMonitor({
    upstreams: Object.values(upstreams),
    pipeline: buildHealthCheckPipeline(),
    intervalMs: config.healthCheckIntervalMs,
    timeoutMs: config.healthCheckTimeoutMs,
    logger,
    load,
  });

  const rateLimits = new RateLimiter(redis ? new RedisRateLimitStore(redis, logger) : new MemoryRateLimitStore(), config.security.rateLimits);
  const tokenCheck = { verify: createAccessTokenVerifier(jwt), cache: new TokenCache(config.tokenCacheSize), revocations };

  const app = createService({
    logger,
    bodyLimit: config.bodyLimitBytes,
    accessLogFields: upstreamLogFields,
    traceIdOf: (raw) => tracing.begin(raw),
    serverOptions: edgeServerOptions(config.security, logger),
  });
  // First, so that every response carries the security headers and no faulty request goes further.
  registerEdge(app, config.security, { readsBody: (request) => config.security.requestValidation && readsBody(request) });
  app.decorateRequest('upstreamCalls', null);
  app.decorate('metrics', metrics);
  if (metrics) registerMetrics(app, metrics, metricsSettings);
  registerTracing(app, tracing, otelSettings !== null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', leaveBodyUnread);
  // Before authentication and routes, so an overloaded gateway spends nothing on a request it sheds.
  if (load.enabled) app.addHook('onRequest', createLoadSheddingHook(load));
  registerRequestPolicies(app, {
    limiter: rateLimits,
    validate: config.security.requestValidation,
    bodyIdleTimeoutMs: config.security.clientLimits.bodyIdleTimeoutMs,
    identify: createIdentify(tokenCheck),
  });
  registerRoutes(app, {
    config,
    upstreams,
    pipeline: buildUpstreamPipeline({ metrics }),
    authenticate: createAuthenticate(tokenCheck),
    revocations,
    health,
  });

  let metricsListener: MetricsListener | null = null;
  const closeResources = async () => {
    health.stop();
    load.stop();
    await metricsListener?.close();
    await revocations.close();
    await rateLimits.close();
    await redis?.close();
    await tracing.close();
    await Promise.all(Object.values(upstreams).map((upstream) => upstream.close()));
  };
  try {
    await registerApiDocs(app);
    await registerWebClient(app, config.webRoot, logger);
    await app.listen({ port: config.port, host: config.host });
    if (metrics && metricsSettings.port !== null) metricsListener = await startMetricsListener(metrics, metricsSettings, logger);
  } catch (error) {
    await app.close();
    await closeResources();
    throw error;
  }
  health.start();
  load.start();

  const port = listeningPort(app);
  const url = `http://${urlHost(config.host)}:${port}`;
  logger.info({ url, auth: config.authServiceUrl, chat: config.chatServiceUrl }, 'gateway listening');

  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    port,
    metricsUrl: metricsListener?.url ?? null,
    close() {
      closing ??= (async () => {
        await closeGracefully(app, config.shutdownGraceMs, logger);
        await closeResources();
        logger.info('gateway stopped');
      })();
      return closing;
    },
  };
}

function listeningPort(app: FastifyInstance): number {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the gateway is not listening on a TCP port');
  return address.port;
}

/** Returns the host for the gateway URL: loopback for a wildcard address, and IPv6 in brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
