import type { UpstreamHandler, UpstreamStage } from '../pipeline.ts';
import type { RetrySettings } from '../resilience-config.ts';
import type { UpstreamCall } from '../upstream-call.ts';
import { UpstreamFailure } from '../upstream-errors.ts';

/** Methods that RFC 9110 calls safe, so a second attempt changes nothing on the upstream. */
const RETRIED_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Replies that mean the upstream, or a proxy in front of it, did not handle the request. */
const RETRIED_STATUSES = new Set([502, 503, 504]);

/**
 * Returns the backoff before retry number `retry` (1 for the first): a random
 * time up to `baseDelayMs * 2^(retry-1)`, capped at `maxDelayMs` ("full
 * jitter"), so callers that failed together do not retry together.
 */
export function backoffMs(settings: Pick<RetrySettings, 'baseDelayMs' | 'maxDelayMs'>, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (retry - 1));
  return Math.round(random() * ceiling);
}

/** Whether the call may be sent again: a safe method with no request body to replay. */
function isRetriable(call: UpstreamCall): boolean {
  return RETRIED_METHODS.has(call.method) && call.body === null;
}

/**
 * Retries a call whose method is GET, HEAD or OPTIONS when it failed to
 * connect (refused, reset, closed, connect timeout) or got a 502, 503 or 504
 * reply without Retry-After. Every other call, every other failure (a
 * timeout after the request was sent included) and every other reply passes
 * through after one attempt, so a POST is never sent twice. A retry waits a
 * jittered exponential backoff, starts only when a quarter of the deadline
 * is left after that wait, and takes one retry from the upstream's retry
 * budget. Each attempt passes the
 * circuit breaker again, so an open circuit ends the retries.
 */
export function createRetryStage(): UpstreamStage {
  return function retryStage(next: UpstreamHandler): UpstreamHandler {
    return async function retry(call: UpstreamCall): Promise<void> {
      if (!isRetriable(call)) return next(call);
      const { settings, retryBudget } = call.upstream;
      retryBudget.recordRequest();

      for (let attempt = 1; ; attempt += 1) {
        let failure: UpstreamFailure | null = null;
        try {
          await next(call);
        } catch (error) {
          if (!(error instanceof UpstreamFailure)) throw error;
          failure = error;
        }
        const reason = failure ? retryReason(failure) : replyRetryReason(call);
        if (reason === null || attempt >= settings.retry.maxAttempts || call.cancelled) {
          if (failure) throw failure;
          return;
        }
        const delayMs = backoffMs(settings.retry, attempt);
        // The next attempt gets at least a quarter of the deadline, or it would mostly turn a 503 into a 504.
        if (call.remainingMs() < delayMs + call.timeoutMs / 4 || !retryBudget.tryWithdraw()) {
          call.log.debug({ upstream: call.upstream.name, attempt, reason }, 'upstream request not retried: deadline or retry budget');
          if (failure) throw failure;
          return;
        }
        // A reply being dropped closes its connection; the body is never read.
        if (!failure) call.abortAttempt(new UpstreamFailure('discarded', `${call.upstream.name} replied ${call.statusCode}; retrying`));
        call.log.info({ upstream: call.upstream.name, attempt, reason, delayMs }, 'retrying upstream request');
        await call.sleep(delayMs);
      }
    };
  };
}

function retryReason(failure: UpstreamFailure): string | null {
  return failure.connectionError ? failure.kind : null;
}

function replyRetryReason(call: UpstreamCall): string | null {
  if (!RETRIED_STATUSES.has(call.statusCode)) return null;
  // The upstream asked clients to wait; the client gets its reply with the header.
  if (call.responseHeaders?.['retry-after'] !== undefined) return null;
  return `status ${call.statusCode}`;
}
