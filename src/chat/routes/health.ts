import type { FastifyInstance } from 'fastify';
import { withMeta } from '../../common/http.ts';
import type { ChatStore } from '../store.ts';

export function registerHealthRoute(app: FastifyInstance, deps: { store: ChatStore; startedAt: number }): void {
  app.get('/health', async function getHealth(request, reply) {
    let database: 'up' | 'down' = 'up';
    try {
      await deps.store.ping();
    } catch (error) {
      database = 'down';
      request.log.error({ err: error }, 'database health check failed');
    }
    const healthy = database === 'up';
    return reply.code(healthy ? 200 : 503).send(
      withMeta(request, {
        status: healthy ? 'healthy' : 'unhealthy',
        service: 'chat',
        checks: { database },
        uptime_seconds: Math.floor((Date.now() - deps.startedAt) / 1000),
      }),
    );
  });
}
