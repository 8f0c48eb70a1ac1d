import type { UpstreamHandler, UpstreamStage } from '../pipeline.ts';
import type { UpstreamCall } from '../upstream-call.ts';
import { UpstreamFailure } from '../upstream-errors.ts';

/**
 * Marks the upstream's cached health check result stale when live traffic
 * contradicts it: a refused, reset or timed-out call while the result is
 * healthy, or any reply below 500 while it is unhealthy. GET /health then
 * checks again at once instead of showing the old result for up to an
 * interval. Traffic never sets the result itself, so a service whose own
 * /health reports a problem stays unhealthy until a check passes.
 */
export function createHealthFeedbackStage(): UpstreamStage {
  return function healthFeedbackStage(next: UpstreamHandler): UpstreamHandler {
    return async function healthFeedback(call: UpstreamCall): Promise<void> {
      const health = call.upstream.health;
      try {
        await next(call);
      } catch (error) {
        const unreachable = error instanceof UpstreamFailure && (error.kind === 'unavailable' || error.kind === 'timeout');
        if (unreachable && health.healthy) health.stale = true;
        throw error;
      }
      if (!health.healthy && call.statusCode < 500) health.stale = true;
    };
  };
}
