/**
 * Fail-fast rejection. The upstream is stopped, and requests fail against it
 * until the gateway's circuit breaker opens. Then the latency of the 503
 * responses of the open circuit is measured twice: one request at a time,
 * next to a direct call to the running upstream through the same client,
 * and at the open-loop rate.
 */
import { readFileSync } from 'node:fs';
import { quantile, type OpenLoopResult } from '../load/result.ts';
import { PROXIED_PATH, startUpstream, UPSTREAM_PATH, type RunningServer } from '../systems.ts';
import { FETCH_TIMEOUT_MS, scenarioLogPath, startScenarioGateway, type ScenarioContext } from './context.ts';

/**
 * Open period of the circuit, longer than the measurement, so every measured
 * request meets an open circuit and none is a half-open probe.
 */
const BREAKER_OPEN_MS = 120_000;
/** Sequential requests sent after the upstream stops, enough to open the circuit with the gateway's default thresholds. */
const TRIP_REQUESTS = 20;
const SEQUENTIAL_REQUESTS = 5000;
/** Interleaved pairs of sequential runs (rejections, then direct calls); the run with the median p99 of each kind is kept. */
const SEQUENTIAL_PAIRS = 3;
const GATEWAY_NAME = 'gateway-breaker';

export interface BreakerResult {
  openMs: number;
  /** Statuses of the requests that opened the circuit, in order. */
  tripStatuses: number[];
  /** The error code and Retry-After of one rejection. */
  sampleRejection: { status: number; code: unknown; retryAfter: string | null };
  /** Rejections one at a time, on one connection: the run with the median p99. */
  sequentialRejections: OpenLoopResult;
  /** The running upstream called directly by the same sequential client, the floor of client and loopback: the run with the median p99. */
  sequentialDirect: OpenLoopResult;
  /** p99 of every sequential run, in milliseconds. */
  sequentialP99sMs: { rejections: number[]; direct: number[] };
  /** Rejections at the open-loop rate. */
  rejections: OpenLoopResult;
  /** The gateway's /health body after the measurement, which shows each circuit's state. */
  health: unknown;
  /**
   * The gateway's own time for each rejection, from its access-log lines
   * (`responseTime`: from the request's arrival in Fastify to the end of the
   * response), over every request after the ones that opened the circuit.
   * Free of the client's and the loopback's jitter, which set the floor of
   * the latencies above.
   */
  gatewayTime?: { requests: number; p50Ms: number; p99Ms: number; maxMs: number };
}

/** Reads the responseTime of the proxied route's 503 lines in a gateway log, leaving out the first `skip`. */
function rejectionTimes(logPath: string, skip: number): BreakerResult['gatewayTime'] {
  const times: number[] = [];
  for (const line of readFileSync(logPath, 'utf8').split('\n')) {
    if (!line.includes('"request completed"')) continue;
    const entry = JSON.parse(line) as { route?: string; statusCode?: number; responseTime?: number };
    if (entry.route === PROXIED_PATH && entry.statusCode === 503 && typeof entry.responseTime === 'number') times.push(entry.responseTime);
  }
  const measured = times.slice(skip).sort((a, b) => a - b);
  if (measured.length === 0) return undefined;
  return { requests: measured.length, p50Ms: quantile(measured, 0.5), p99Ms: quantile(measured, 0.99), maxMs: measured[measured.length - 1] };
}

function medianRun(runs: OpenLoopResult[]): OpenLoopResult {
  const sorted = [...runs].sort((a, b) => a.p99Ms - b.p99Ms);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function runBreaker(context: ScenarioContext, directUpstream: RunningServer): Promise<BreakerResult> {
  const { supervisor, clients, options, headers, log } = context;
  const upstream = await startUpstream(supervisor, options.loadCore, {}, 'upstream-breaker');
  const gateway = await startScenarioGateway(context, {
    name: GATEWAY_NAME,
    chatServiceUrl: upstream.origin,
    authServiceUrl: upstream.origin,
    // The maximum open period must not be shorter than the first one, or the gateway rejects the configuration.
    extraEnv: { BREAKER_OPEN_MS: String(BREAKER_OPEN_MS), BREAKER_OPEN_MAX_MS: String(BREAKER_OPEN_MS) },
  });
  let result: BreakerResult;
  try {
    const healthy = await fetch(gateway.url, { headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    await healthy.arrayBuffer();
    if (healthy.status !== 200) throw new Error(`breaker test: expected 200 before the upstream stops, got ${healthy.status}`);

    await upstream.process.stop();
    const tripStatuses: number[] = [];
    for (let index = 0; index < TRIP_REQUESTS; index += 1) {
      const response = await fetch(gateway.url, { headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      await response.arrayBuffer();
      tripStatuses.push(response.status);
    }

    const sample = await fetch(gateway.url, { headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    const sampleBody = (await sample.json()) as { error?: { code?: unknown } };
    const sampleRejection = { status: sample.status, code: sampleBody.error?.code, retryAfter: sample.headers.get('retry-after') };

    log(`breaker: ${SEQUENTIAL_REQUESTS} rejections one at a time, then ${options.rate} req/s for ${options.openDurationSeconds} s`);
    const sequentialSettings = { headers, requests: SEQUENTIAL_REQUESTS, durationSeconds: 30, connections: 1 };
    const rejectionRuns: OpenLoopResult[] = [];
    const directRuns: OpenLoopResult[] = [];
    for (let pair = 0; pair < SEQUENTIAL_PAIRS; pair += 1) {
      rejectionRuns.push(await clients.sequential({ ...sequentialSettings, url: gateway.url }));
      directRuns.push(await clients.sequential({ ...sequentialSettings, url: `${directUpstream.origin}${UPSTREAM_PATH}` }));
    }
    const sequentialRejections = medianRun(rejectionRuns);
    const sequentialDirect = medianRun(directRuns);
    const sequentialP99sMs = { rejections: rejectionRuns.map((run) => run.p99Ms), direct: directRuns.map((run) => run.p99Ms) };
    const rejections = await clients.openLoop({
      url: gateway.url,
      headers,
      durationSeconds: options.openDurationSeconds,
      connections: options.openConnections,
      rate: options.rate,
    });
    const healthResponse = await fetch(gateway.url.replace(PROXIED_PATH, '/health'), { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    const health = await healthResponse.json().catch(() => null);
    result = { openMs: BREAKER_OPEN_MS, tripStatuses, sampleRejection, sequentialRejections, sequentialDirect, sequentialP99sMs, rejections, health };
  } finally {
    await Promise.all([gateway.server?.process.stop(), upstream.process.stop()]);
  }
  // Read once the gateway has exited and so written out its buffered log lines.
  return { ...result, gatewayTime: rejectionTimes(scenarioLogPath(context, GATEWAY_NAME), TRIP_REQUESTS) };
}
