import type { GatewayMetrics } from './metrics.ts';
import type { UpstreamStage } from './pipeline.ts';
import { UpstreamFailure } from './upstream-errors.ts';

/**
 * Builds the stage that counts each upstream call by outcome and records the
 * time to its response headers. Placed outermost, it also counts the calls
 * that the circuit breaker rejects.
 */
export function createUpstreamMetricsStage(metrics: GatewayMetrics): UpstreamStage {
  return (next) =>
    async function recordUpstreamMetrics(call) {
      try {
        await next(call);
      } catch (error) {
        metrics.observeUpstreamFailure(call.upstream.name, error instanceof UpstreamFailure ? error.kind : 'internal');
        throw error;
      }
      metrics.observeUpstreamReply(call.upstream.name, call.statusCode, call.headerTime);
    };
}
