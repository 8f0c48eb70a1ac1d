import type { UpstreamHandler, UpstreamStage } from '../pipeline.ts';
import type { UpstreamCall } from '../upstream-call.ts';
import { UpstreamFailure } from '../upstream-errors.ts';

function expire(call: UpstreamCall): void {
  call.abort(new UpstreamFailure('timeout', `${call.upstream.name} sent no response headers within the ${call.timeoutMs} ms deadline`));
}

/**
 * Sets the call's deadline: `call.timeoutMs` from now until the response
 * headers, so queueing in the bulkhead, every attempt and every backoff fit
 * in it. When it passes, the whole call is cancelled, its upstream request
 * closed with its connection, and no further attempt starts. It ends at the
 * response headers, so a long streamed body is limited only by the idle
 * timeout between its chunks.
 */
export function createDeadlineStage(): UpstreamStage {
  return function deadlineStage(next: UpstreamHandler): UpstreamHandler {
    return async function deadline(call: UpstreamCall): Promise<void> {
      call.deadlineAt = performance.now() + call.timeoutMs;
      const timer = setTimeout(expire, call.timeoutMs, call);
      try {
        await next(call);
      } finally {
        clearTimeout(timer);
      }
    };
  };
}
