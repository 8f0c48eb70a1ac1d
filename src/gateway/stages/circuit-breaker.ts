import { REJECTED } from '../circuit-breaker.ts';
import type { UpstreamHandler, UpstreamStage } from '../pipeline.ts';
import type { UpstreamCall } from '../upstream-call.ts';
import { UpstreamFailure } from '../upstream-errors.ts';

/**
 * Asks the upstream's circuit breaker before each attempt and reports the
 * outcome. A 5xx reply, a timeout, a connection error or an unreadable reply
 * is a failure. Any other reply, 4xx included, is a success, and a slow one
 * when its headers took longer than BREAKER_SLOW_CALL_MS. A call the client
 * cancelled, or that the bulkhead rejected, counts as neither.
 */
export function createCircuitBreakerStage(): UpstreamStage {
  return function circuitBreakerStage(next: UpstreamHandler): UpstreamHandler {
    return async function circuitBreaker(call: UpstreamCall): Promise<void> {
      const breaker = call.upstream.breaker;
      const ticket = breaker.tryAcquire(call.log);
      if (ticket === REJECTED) {
        throw new UpstreamFailure('circuit-open', `the circuit of ${call.upstream.name} is open`, {
          retryAfterSeconds: breaker.retryAfterSeconds(),
        });
      }
      try {
        await next(call);
      } catch (error) {
        if (error instanceof UpstreamFailure && error.countsAsUpstreamFailure) breaker.recordFailure(ticket, error.kind, call.log);
        else breaker.release(ticket);
        throw error;
      }
      if (call.statusCode >= 500) breaker.recordFailure(ticket, `status ${call.statusCode}`, call.log);
      else breaker.recordSuccess(ticket, call.slowCallCheck ? call.headerTime : null, call.log);
    };
  };
}
