import type { UpstreamHandler, UpstreamStage } from '../pipeline.ts';
import type { UpstreamCall } from '../upstream-call.ts';
import { UpstreamFailure } from '../upstream-errors.ts';

function expire(call: UpstreamCall, timeoutMs: number): void {
  call.abortAttempt(new UpstreamFailure('timeout', `${call.upstream.name} sent no response headers within ${timeoutMs} ms`));
}

/**
 * Ends one attempt whose response headers take longer than
 * `call.attemptTimeoutMs`, or than what is left of the deadline when that is
 * shorter. The connect timeout is undici's, set on the pool. A timed-out
 * attempt closes its upstream connection and is never retried, because the
 * upstream may still be working on it.
 */
export function createAttemptTimeoutStage(): UpstreamStage {
  return function attemptTimeoutStage(next: UpstreamHandler): UpstreamHandler {
    return async function attemptTimeout(call: UpstreamCall): Promise<void> {
      const timeoutMs = Math.max(0, Math.min(call.attemptTimeoutMs, call.remainingMs()));
      const timer = setTimeout(expire, timeoutMs, call, Math.round(timeoutMs));
      try {
        await next(call);
      } finally {
        clearTimeout(timer);
      }
    };
  };
}
