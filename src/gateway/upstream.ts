import type { FastifyBaseLogger } from 'fastify';
import { Pool } from 'undici';
import type { Logger } from '../common/logger.ts';
import { CircuitBreaker, type CircuitTransition } from './circuit-breaker.ts';
import type { GatewayConfig } from './config.ts';

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
 * One backend service: its keep-alive connection pool, its circuit breaker and
 * the latest health check. The gateway keeps one per service for its lifetime.
 */
export class Upstream {
  readonly name: UpstreamName;
  readonly origin: string;
  readonly pool: Pool;
  /** Its transitions are logged with the logger of the call that caused them, so they carry that request id. */
  readonly breaker: CircuitBreaker<FastifyBaseLogger>;
  health: HealthCheckResult = { healthy: false, checkedAt: 0, responseTimeMs: null, errorCode: null, stale: false };

  constructor(name: UpstreamName, origin: string, config: GatewayConfig, logger: Logger) {
    this.name = name;
    this.origin = origin;
    this.pool = new Pool(origin, {
      connections: config.upstreamConnections,
      connect: { timeout: config.upstreamConnectTimeoutMs },
      bodyTimeout: config.upstreamBodyTimeoutMs,
    });
    this.breaker = new CircuitBreaker<FastifyBaseLogger>(config.breaker, (transition, log) => logTransition(log ?? logger, name, transition));
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

/** Creates the auth and chat upstreams from the configuration. */
export function createUpstreams(config: GatewayConfig, logger: Logger): Record<UpstreamName, Upstream> {
  return {
    auth: new Upstream('auth', config.authServiceUrl, config, logger),
    chat: new Upstream('chat', config.chatServiceUrl, config, logger),
  };
}
