import type { UpstreamCall } from '../upstream-call.ts';
import { UpstreamFailure } from '../upstream-errors.ts';
import type { UpstreamHandler, UpstreamStage } from '../pipeline.ts';

function expire(call: UpstreamCall): void {
  call.abort(new UpstreamFailure('timeout', `${call.upstream.name} sent no response headers within ${call.timeoutMs} ms`));
}

/**
 * Cancels a call whose response headers take longer than `call.timeoutMs`,
 * counting from when the call enters this stage, so time queued for a pooled
 * connection and the connect itself count too. The cancelled request closes
 * its upstream connection.
 */
export function createDeadlineStage(): UpstreamStage {
  return function deadlineStage(next: UpstreamHandler): UpstreamHandler {
    return async function deadline(call: UpstreamCall): Promise<void> {
      const timer = setTimeout(expire, call.timeoutMs, call);
      try {
        await next(call);
      } finally {
        clearTimeout(timer);
      }
    };
  };
}
