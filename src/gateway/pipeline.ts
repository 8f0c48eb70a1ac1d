import type { GatewayMetrics } from './metrics.ts';
import { createUpstreamMetricsStage } from './metrics-stage.ts';
import { createAttemptTimeoutStage } from './stages/attempt-timeout.ts';
import { createBulkheadStage } from './stages/bulkhead.ts';
import { createCircuitBreakerStage } from './stages/circuit-breaker.ts';
import { createDeadlineStage } from './stages/deadline.ts';
import { createHealthFeedbackStage } from './stages/health-feedback.ts';
import { createRetryStage } from './stages/retry.ts';
import { sendUpstream } from './stages/send-upstream.ts';
import type { UpstreamCall } from './upstream-call.ts';

/**
 * Runs an upstream call to its response headers: resolves when they arrived
 * (the body waits for `call.pipe`), rejects with an UpstreamFailure.
 */
export type UpstreamHandler = (call: UpstreamCall) => Promise<void>;

/**
 * One step around an upstream call. A stage is built once at start-up with
 * the handler it wraps and returns the handler that runs for each call, so
 * a request allocates no closures in the chain.
 */
export type UpstreamStage = (next: UpstreamHandler) => UpstreamHandler;

/** Wraps `last` in `stages`, the first stage outermost. */
export function chain(stages: UpstreamStage[], last: UpstreamHandler): UpstreamHandler {
  let handler = last;
  for (let index = stages.length - 1; index >= 0; index -= 1) handler = stages[index](handler);
  return handler;
}

/**
 * Builds the stages of every proxied call and dashboard part, outermost first.
 * The resilience stages follow resilience4j's order, Retry(CircuitBreaker(
 * TimeLimiter(Bulkhead(call)))), with the deadline around them all: each
 * attempt passes the breaker and the bulkhead, and no retry outlives the
 * deadline.
 *
 * Edge stages run before this, as Fastify hooks per client request: request
 * id and access log (createService), load shedding, then authentication on
 * the routes that need a token. A dashboard request runs this pipeline three
 * times.
 */
export function buildUpstreamPipeline(options: { metrics?: GatewayMetrics | null } = {}): UpstreamHandler {
  return chain(
    [
      // Counts each call by outcome, circuit-open rejections included, and times its response headers.
      ...(options.metrics ? [createUpstreamMetricsStage(options.metrics)] : []),
      // Cancels the whole call, retries included, when its response headers are later than call.timeoutMs.
      createDeadlineStage(),
      // Sends GET, HEAD and OPTIONS again after a connection error or a 502, 503 or 504, within the retry budget.
      createRetryStage(),
      // Fails fast while the upstream's circuit is open; counts 5xx, timeouts, connection errors and slow replies.
      createCircuitBreakerStage(),
      // Marks the cached health check result stale when this call contradicts it.
      createHealthFeedbackStage(),
      // Caps the calls in flight to the upstream, with a short queue; past it, 503 at once.
      createBulkheadStage(),
      // Ends one attempt whose response headers are later than call.attemptTimeoutMs.
      createAttemptTimeoutStage(),
    ],
    sendUpstream,
  );
}

/**
 * Builds the stages of an active health check. They leave out the circuit
 * breaker, because the check must reach an upstream whose circuit is open to
 * notice that it recovered, and the bulkhead, because the pool keeps one
 * connection beyond the bulkhead's cap for the checks.
 */
export function buildHealthCheckPipeline(): UpstreamHandler {
  return chain([createDeadlineStage()], sendUpstream);
}
