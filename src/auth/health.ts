import type { FastifyInstance } from 'fastify';
import { withMeta } from '../common/http.ts';
import { healthResponse } from './schemas.ts';

export interface HealthOptions {
  service: string;
  /** Resolves when a trivial database query succeeds. */
  pingDatabase: () => Promise<void>;
  /** How long the database may take before it counts as down, in milliseconds. */
  timeoutMs?: number;
}

/** Registers GET /health: 200 when the database query succeeds, 503 when it fails or times out. */
export function registerHealthRoute(app: FastifyInstance, { service, pingDatabase, timeoutMs = 2000 }: HealthOptions): void {
  const startedAt = performance.now();

  app.get('/health', { schema: { response: { 200: healthResponse, 503: healthResponse } } }, async function health(request, reply) {
    let database: 'up' | 'down' = 'up';
    try {
      await withTimeout(pingDatabase(), timeoutMs);
    } catch (err) {
      database = 'down';
      request.log.warn({ err }, 'database health check failed');
    }
    reply.code(database === 'up' ? 200 : 503).header('cache-control', 'no-store');
    return withMeta(request, {
      status: database === 'up' ? 'healthy' : 'unhealthy',
      service,
      checks: { database },
      uptime_seconds: Math.floor((performance.now() - startedAt) / 1000),
    });
  });
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
