import type { FastifyInstance } from 'fastify';
import type { Logger } from '../common/logger.ts';

/** How often connections that became idle during shutdown are closed. */
const IDLE_SWEEP_MS = 50;

/**
 * Stops the gateway's HTTP server gracefully. It stops accepting
 * connections, responds with 503 to new requests on kept-alive connections
 * (Fastify's return503OnClosing), and waits up to `graceMs` for in-flight
 * requests, streamed responses included, to finish. Connections still open
 * after that are closed, which cancels their upstream requests.
 */
export async function closeGracefully(app: FastifyInstance, graceMs: number, logger: Logger): Promise<void> {
  const open = await connectionCount(app);
  if (open > 0) logger.info({ connections: open, graceMs }, 'waiting for open connections before stopping');

  const closed = app.close().then(() => 'closed' as const);
  // Node closes the connections that are idle when closing starts. A kept-alive connection whose response
  // ends later stays open until the client drops it, so idle connections are closed as they appear.
  const sweeper = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(resolve, graceMs, 'expired');
  });
  const outcome = await Promise.race([closed, expired]);
  clearTimeout(timer);
  clearInterval(sweeper);
  if (outcome === 'closed') return;

  const remaining = await connectionCount(app);
  logger.warn({ connections: remaining, graceMs }, 'shutdown grace period over: closing the remaining connections');
  app.server.closeAllConnections();
  await closed;
}

function connectionCount(app: FastifyInstance): Promise<number> {
  return new Promise((resolve) => {
    app.server.getConnections((error, count) => resolve(error ? 0 : count));
  });
}
