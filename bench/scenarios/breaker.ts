/**
 * Fail-fast refusal: the upstream is stopped, a few requests fail against it
 * until the gateway's circuit breaker opens, and then the latency of the
 * 503 responses the open circuit returns is measured at the open-loop rate.
 */
import type { OpenLoopResult } from '../load/result.ts';
import { PROXIED_PATH, startUpstream } from '../systems.ts';
import { startScenarioGateway, type ScenarioContext } from './context.ts';

/**
 * Longer than the measurement, so every measured request meets an open
 * circuit and none is a half-open probe (the default open period is 10 s).
 */
const BREAKER_OPEN_MS = 120_000;
/** Sequential requests sent after the upstream stops, to open the circuit (the default threshold is 5 failures). */
const TRIP_REQUESTS = 20;

export interface BreakerResult {
  openMs: number;
  /** Statuses of the requests that opened the circuit, in order. */
  tripStatuses: number[];
  /** The error code and Retry-After of one refusal. */
  sampleRefusal: { status: number; code: unknown; retryAfter: string | null };
  refusals: OpenLoopResult;
  /** The gateway's /health body after the measurement, which shows each circuit's state. */
  health: unknown;
}

export async function runBreaker(context: ScenarioContext): Promise<BreakerResult> {
  const { supervisor, clients, options, headers, log } = context;
  const upstream = await startUpstream(supervisor, options.loadCore, {}, 'upstream-breaker');
  const gateway = await startScenarioGateway(context, {
    name: 'gateway-breaker',
    chatServiceUrl: upstream.origin,
    authServiceUrl: upstream.origin,
    extraEnv: { BREAKER_OPEN_MS: String(BREAKER_OPEN_MS) },
  });
  try {
    const healthy = await fetch(gateway.url, { headers });
    await healthy.arrayBuffer();
    if (healthy.status !== 200) throw new Error(`breaker test: expected 200 before the upstream stops, got ${healthy.status}`);

    await upstream.process.stop();
    const tripStatuses: number[] = [];
    for (let index = 0; index < TRIP_REQUESTS; index += 1) {
      const response = await fetch(gateway.url, { headers, signal: AbortSignal.timeout(15_000) });
      await response.arrayBuffer();
      tripStatuses.push(response.status);
    }

    const sample = await fetch(gateway.url, { headers });
    const sampleBody = (await sample.json()) as { error?: { code?: unknown } };
    const sampleRefusal = { status: sample.status, code: sampleBody.error?.code, retryAfter: sample.headers.get('retry-after') };

    log(`breaker: refusals at ${options.rate} req/s for ${options.openDurationSeconds} s`);
    const refusals = await clients.openLoop({
      url: gateway.url,
      headers,
      durationSeconds: options.openDurationSeconds,
      connections: options.openConnections,
      rate: options.rate,
    });
    const healthResponse = await fetch(gateway.url.replace(PROXIED_PATH, '/health'));
    const health = await healthResponse.json().catch(() => null);
    return { openMs: BREAKER_OPEN_MS, tripStatuses, sampleRefusal, refusals, health };
  } finally {
    await Promise.all([gateway.server?.process.stop(), upstream.process.stop()]);
  }
}
