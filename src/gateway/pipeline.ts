import { createCircuitBreakerStage } from './stages/circuit-breaker.ts';
import { createDeadlineStage } from './stages/deadline.ts';
import { createHealthFeedbackStage } from './stages/health-feedback.ts';
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
 *
 * Edge stages run before this, as Fastify hooks per client request: request
 * id and access log (createService), then authentication on the routes that
 * need a token. A dashboard request runs this pipeline three times.
 */
export function buildUpstreamPipeline(): UpstreamHandler {
  return chain(
    [
      // Fails fast while the upstream's circuit is open; counts 5xx, timeouts and connection errors.
      createCircuitBreakerStage(),
      // Marks the cached health check result stale when this call contradicts it.
      createHealthFeedbackStage(),
      // TODO: retry of idempotent calls, a bulkhead per upstream and metrics belong here, between the breaker and the deadline.
      // Cancels the call when its response headers are later than call.timeoutMs.
      createDeadlineStage(),
    ],
    sendUpstream,
  );
}

/**
 * Builds the stages of an active health check. They leave out the circuit
 * breaker, because the check must reach an upstream whose circuit is open to
 * notice that it recovered.
 */
export function buildHealthCheckPipeline(): UpstreamHandler {
  return chain([createDeadlineStage()], sendUpstream);
}
