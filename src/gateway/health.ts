import { randomUUID } from 'node:crypto';
import { uptime as systemUptime } from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../common/logger.ts';
import { readBody } from './body-reader.ts';
import type { LoadMonitor } from './load-shedding.ts';
import type { UpstreamHandler } from './pipeline.ts';
import { UpstreamCall } from './upstream-call.ts';
import { UpstreamFailure, toAppError } from './upstream-errors.ts';
import type { HealthCheckResult, Upstream } from './upstream.ts';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

const HEALTH_BODY_LIMIT_BYTES = 64 * 1024;
/** Delay of the next check while a circuit is half-open and its upstream healthy, so the probes pass in quick succession. */
const PROBE_FOLLOW_UP_MS = 100;

export interface HealthMonitorOptions {
  upstreams: Upstream[];
  /** A pipeline without the circuit breaker, so checks reach an upstream whose circuit is open. */
  pipeline: UpstreamHandler;
  intervalMs: number;
  timeoutMs: number;
  logger: Logger;
  /** The gateway's own load, shown under `gateway.load`. */
  load?: LoadMonitor;
}

/**
 * Checks each upstream's GET /health every `intervalMs`, keeps the latest
 * result on the upstream, and logs each change between up and down once.
 * The results feed the circuit breaker as probes. A check that passes once
 * an open circuit's wait is over counts as one successful half-open probe,
 * so the circuit closes without user traffic. A check that fails while the
 * circuit is half-open opens it again. Between the regular checks, one
 * more runs when an open circuit's wait ends, and follow-ups run every
 * PROBE_FOLLOW_UP_MS while a circuit is half-open and the checks pass.
 */
export class HealthMonitor {
  readonly #options: HealthMonitorOptions;
  readonly #inFlight = new Map<Upstream, Promise<void>>();
  readonly #startedAt = performance.now();
  readonly #followUps = new Map<Upstream, NodeJS.Timeout>();
  #timer: NodeJS.Timeout | null = null;

  constructor(options: HealthMonitorOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#timer) return;
    void this.checkAll();
    this.#timer = setInterval(() => void this.checkAll(), this.#options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const timer of this.#followUps.values()) clearTimeout(timer);
    this.#followUps.clear();
  }

  checkAll(): Promise<void> {
    return Promise.all(this.#options.upstreams.map((upstream) => this.check(upstream))).then(() => undefined);
  }

  /** Checks one upstream now; a check already running is shared instead of starting a second one. */
  check(upstream: Upstream): Promise<void> {
    let running = this.#inFlight.get(upstream);
    if (!running) {
      running = this.#runCheck(upstream).finally(() => this.#inFlight.delete(upstream));
      this.#inFlight.set(upstream, running);
    }
    return running;
  }

  /** Checks, concurrently, each upstream whose latest result is older than the interval or marked stale by live traffic. */
  async refreshStale(): Promise<void> {
    const now = Date.now();
    const stale = this.#options.upstreams.filter(({ health }) => health.stale || now - health.checkedAt >= this.#options.intervalMs);
    await Promise.all(stale.map((upstream) => this.check(upstream)));
  }

  /** Builds the body of GET /health, without `meta`. */
  report() {
    const services: Record<string, ReturnType<typeof serviceReport>> = {};
    for (const upstream of this.#options.upstreams) services[upstream.name] = serviceReport(upstream);
    const statuses = Object.values(services).map((service) => service.status);
    let status: HealthStatus = 'degraded';
    if (statuses.every((value) => value === 'healthy')) status = 'healthy';
    else if (statuses.every((value) => value === 'unhealthy')) status = 'unhealthy';
    const load = this.#options.load?.snapshot() ?? null;
    // A gateway that sheds load still reports its upstreams, but the whole is at best degraded.
    const gatewayStatus: HealthStatus = load?.shedding ? 'degraded' : 'healthy';
    if (gatewayStatus === 'degraded' && status === 'healthy') status = 'degraded';
    const memory = process.memoryUsage();
    return {
      status,
      gateway: { status: gatewayStatus, uptime_seconds: Math.round((performance.now() - this.#startedAt) / 1000), load },
      services,
      system: {
        node_version: process.version,
        uptime_seconds: Math.round(systemUptime()),
        memory: { rss: memory.rss, heap_used: memory.heapUsed, heap_total: memory.heapTotal },
      },
    };
  }

  async #runCheck(upstream: Upstream): Promise<void> {
    const { timeoutMs, pipeline, logger } = this.#options;
    const requestId = randomUUID();
    const log = logger.child({ reqId: requestId, upstream: upstream.name });
    const call = new UpstreamCall({
      upstream,
      method: 'GET',
      path: '/health',
      headers: ['accept', 'application/json', 'x-request-id', requestId],
      body: null,
      requestId,
      log,
      timeoutMs,
    });
    const started = performance.now();
    let result: HealthCheckResult;
    try {
      await pipeline(call);
      await readBody(call, { limitBytes: HEALTH_BODY_LIMIT_BYTES, timeoutMs: timeoutMs - (performance.now() - started) });
      const healthy = call.statusCode === 200;
      result = { healthy, checkedAt: Date.now(), responseTimeMs: elapsed(started), errorCode: healthy ? null : 'UPSTREAM_UNAVAILABLE', stale: false };
      if (!healthy) log.debug({ upstreamStatus: call.statusCode }, 'health check returned a status other than 200');
    } catch (error) {
      if (!(error instanceof UpstreamFailure)) throw error;
      result = { healthy: false, checkedAt: Date.now(), responseTimeMs: elapsed(started), errorCode: toAppError(error).code, stale: false };
      log.debug({ kind: error.kind, err: error.cause ?? error }, 'health check failed');
    }
    this.#record(upstream, result, log);
  }

  #record(upstream: Upstream, result: HealthCheckResult, log: Logger): void {
    const previous = upstream.health;
    upstream.health = result;
    if (previous.checkedAt === 0 || previous.healthy !== result.healthy) {
      const fields = { healthy: result.healthy, error: result.errorCode ?? undefined, responseTime: result.responseTimeMs };
      if (result.healthy) log.info(fields, 'upstream is up');
      else log.warn(fields, 'upstream is down');
    }
    if (result.healthy) upstream.breaker.recordProbeSuccess(log);
    else upstream.breaker.recordProbeFailure(result.errorCode ?? 'unhealthy', log);
    this.#scheduleFollowUp(upstream);
  }

  /** Hears a circuit transition, so an open circuit gets its check when its wait ends. */
  circuitChanged(upstream: Upstream): void {
    this.#scheduleFollowUp(upstream);
  }

  /** Schedules one extra check when it would come before the next regular one and could move the circuit on. */
  #scheduleFollowUp(upstream: Upstream): void {
    if (!this.#timer || this.#followUps.has(upstream)) return;
    const { breaker } = upstream;
    let delayMs: number | null = null;
    if (breaker.state === 'half-open' && upstream.health.healthy) delayMs = PROBE_FOLLOW_UP_MS;
    // A wait that is already over is left to the regular checks, so a down upstream is not checked in a loop.
    else if (breaker.state === 'open' && breaker.msUntilHalfOpen() > 0) delayMs = breaker.msUntilHalfOpen();
    if (delayMs === null || delayMs >= this.#options.intervalMs) return;
    const timer = setTimeout(() => {
      this.#followUps.delete(upstream);
      void this.check(upstream);
    }, delayMs);
    timer.unref();
    this.#followUps.set(upstream, timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

/** Builds one service's entry on /health: unhealthy when its check failed or its circuit is open. */
function serviceReport(upstream: Upstream) {
  const { health, breaker } = upstream;
  let status: HealthStatus = 'healthy';
  if (!health.healthy || breaker.state === 'open') status = 'unhealthy';
  else if (breaker.state === 'half-open') status = 'degraded';
  return {
    status,
    response_time_ms: health.responseTimeMs,
    checked_at: health.checkedAt > 0 ? new Date(health.checkedAt).toISOString() : null,
    error: health.errorCode,
    circuit: breaker.snapshot(),
    bulkhead: upstream.bulkhead.snapshot(),
    retry_budget: upstream.retryBudget.snapshot(),
  };
}

/** Builds the GET /health handler: it refreshes stale checks with a short timeout, then responds 503 only when every upstream is down. */
export function createHealthHandler(monitor: HealthMonitor) {
  return async function health(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    await monitor.refreshStale();
    const report = monitor.report();
    reply.code(report.status === 'unhealthy' ? 503 : 200).header('cache-control', 'no-store');
    return { ...report, meta: { request_id: request.id } };
  };
}
