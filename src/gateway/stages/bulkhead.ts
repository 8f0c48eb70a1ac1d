import type { UpstreamHandler, UpstreamStage } from '../pipeline.ts';
import type { UpstreamCall } from '../upstream-call.ts';

/**
 * Takes a slot of the upstream's bulkhead for each attempt, queueing briefly
 * when all are taken. A full queue fails the call at once with a
 * `bulkhead-full` failure (503 with Retry-After). The slot is kept until the
 * attempt's response body ends, since the connection is busy until then.
 */
export function createBulkheadStage(): UpstreamStage {
  return function bulkheadStage(next: UpstreamHandler): UpstreamHandler {
    return async function bulkhead(call: UpstreamCall): Promise<void> {
      const slots = call.upstream.bulkhead;
      if (!slots.tryAcquire()) await slots.acquire(call);
      call.holdPermit(slots);
      try {
        await next(call);
      } catch (error) {
        // The attempt gives the slot back when it ends; this covers a failure before it started.
        call.releasePermit();
        throw error;
      }
    };
  };
}
