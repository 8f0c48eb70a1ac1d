import type { FastifyBaseLogger } from 'fastify';
import { Pool } from 'undici';
import type { Logger } from '../common/logger.ts';
import { Bulkhead } from './bulkhead.ts';
import { CircuitBreaker, type CircuitTransition } from './circuit-breaker.ts';
import type { GatewayConfig } from './config.ts';
import type { UpstreamSettings } from './resilience-config.ts';
import { RetryBudget } from './retry-budget.ts';

export type UpstreamName = 'auth' | 'chat';

/** Result of the latest active health check of an upstream. */
export interface HealthCheckResult {
  healthy: boolean;
  /** Epoch milliseconds; 0 before the first check. */
  checkedAt: number;
  responseTimeMs: number | null;
  /** Registry code of the failure, shown on /health instead of the raw cause. */
  errorCode: string | null;
  /** Set when live traffic contradicts this result, so GET /health checks again before it responds. */
  stale: boolean;
}

/**
 * Returns the undici Pool options of an upstream with every timeout set by
 * the gateway, so none comes from a default. undici 7.30's defaults would be
 * headersTimeout and bodyTimeout 300 s, connect timeout 10 s,
 * keepAliveTimeout 4 s, keepAliveMaxTimeout 600 s and
 * keepAliveTimeoutThreshold 2 s.
 */
export function poolOptions(settings: UpstreamSettings): Pool.Options {
  return {
    // One connection beyond the bulkhead's cap, so the active health check (one at a time per upstream) never waits behind user calls.
    connections: settings.bulkhead.maxConcurrent + 1,
    pipelining: 1,
    connect: { timeout: settings.connectTimeoutMs },
    // A backstop: each attempt sets its own header timeout when it is dispatched.
    headersTimeout: settings.headersTimeoutMs + 1000,
    // Maximum gap between two body chunks. undici stops this timer while the gateway pauses the body for a slow client.
    bodyTimeout: settings.bodyTimeoutMs,
    // An idle connection closes after this, or earlier when the upstream's Keep-Alive header sets a shorter timeout.
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    keepAliveMaxTimeout: settings.keepAliveTimeoutMs,
    // Subtracted from the upstream's Keep-Alive timeout, so the gateway never reuses a connection the upstream is closing.
    keepAliveTimeoutThreshold: 2000,
  };
}

/**
 * One backend service: its settings, keep-alive connection pool, circuit
 * breaker, bulkhead, retry budget and the latest health check. The gateway
 * keeps one per service for its lifetime.
 */
export class Upstream {
  readonly name: UpstreamName;
  readonly origin: string;
  readonly settings: UpstreamSettings;
  readonly pool: Pool;
  readonly bulkhead: Bulkhead;
  readonly retryBudget: RetryBudget;
  /** Its transitions are logged with the logger of the call that caused them, so they carry that request id. */
  readonly breaker: CircuitBreaker<FastifyBaseLogger>;
  health: HealthCheckResult = { healthy: false, checkedAt: 0, responseTimeMs: null, errorCode: null, stale: false };

  constructor(name: UpstreamName, origin: string, config: GatewayConfig, logger: Logger, onTransition?: BreakerTransitionListener, breakerClock?: () => number) {
    this.name = name;
    this.origin = origin;
    this.settings = config.upstreams[name];
    this.pool = new Pool(origin, poolOptions(this.settings));
    this.bulkhead = new Bulkhead(this.settings.bulkhead, name);
    this.retryBudget = new RetryBudget(this.settings.retry);
    this.breaker = new CircuitBreaker<FastifyBaseLogger>(this.settings.breaker, (transition, log) => {
      logTransition(log ?? logger, name, transition);
      onTransition?.(name, transition);
    }, breakerClock);
  }

  /** Closes every connection; requests still in flight (only health checks, once the server has closed) fail. */
  close(): Promise<void> {
    return this.pool.destroy();
  }
}

function logTransition(logger: FastifyBaseLogger, upstream: string, transition: CircuitTransition): void {
  const fields = { upstream, from: transition.from, to: transition.to, reason: transition.reason };
  if (transition.to === 'open') logger.warn(fields, 'circuit breaker opened');
  else if (transition.to === 'half-open') logger.info(fields, 'circuit breaker half-open');
  else logger.info(fields, 'circuit breaker closed');
}

/** Hears every circuit breaker transition, such as the metrics counter of transitions. */
export type BreakerTransitionListener = (upstream: UpstreamName, transition: CircuitTransition) => void;

/** Creates the auth and chat upstreams from the configuration. */
export function createUpstreams(
  config: GatewayConfig,
  logger: Logger,
  onTransition?: BreakerTransitionListener,
  breakerClock?: () => number,
): Record<UpstreamName, Upstream> {
  return {
    auth: new Upstream('auth', config.authServiceUrl, config, logger, onTransition, breakerClock),
    chat: new Upstream('chat', config.chatServiceUrl, config, logger, onTransition, breakerClock),
  };
}
