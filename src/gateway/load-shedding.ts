import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorJson } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { LoadSheddingSettings } from './resilience-config.ts';

/** Resolution of the event loop delay histogram; every sample includes it, so it is subtracted. */
const HISTOGRAM_RESOLUTION_MS = 10;

/** Routes served even while load is shed, so operators and probes still see the gateway. */
const EXEMPT_ROUTES = new Set(['/health', '/metrics']);

/** The readings one sample is made of; tests replace them. */
export interface LoadReadings {
  /** Mean event loop delay since the previous reading, in milliseconds. */
  eventLoopDelayMs(): number;
  /** Used heap as a percentage of V8's heap size limit. */
  heapUsedPercent(): number;
}

/** Readings from a perf_hooks event loop delay histogram and v8.getHeapStatistics(). */
class ProcessReadings implements LoadReadings {
  readonly #histogram: IntervalHistogram;

  constructor() {
    this.#histogram = monitorEventLoopDelay({ resolution: HISTOGRAM_RESOLUTION_MS });
    this.#histogram.enable();
  }

  eventLoopDelayMs(): number {
    const histogram = this.#histogram;
    const mean = histogram.count === 0 ? 0 : histogram.mean / 1e6;
    histogram.reset();
    return Math.max(0, mean - HISTOGRAM_RESOLUTION_MS);
  }

  heapUsedPercent(): number {
    const heap = getHeapStatistics();
    return (heap.used_heap_size * 100) / heap.heap_size_limit;
  }

  close(): void {
    this.#histogram.disable();
  }
}

/**
 * Watches the gateway's own load every `sampleIntervalMs`: the mean event
 * loop delay over the last interval and the heap use against V8's limit.
 * While either is over its threshold, `overloaded` is true and the edge hook
 * responds with 503 at once instead of letting every request slow down. A sample
 * reads the mean rather than the maximum, so one long garbage collection
 * does not shed a whole interval of traffic.
 */
export class LoadMonitor {
  readonly settings: LoadSheddingSettings;
  readonly #logger: Logger;
  #readings: LoadReadings | null;
  #timer: NodeJS.Timeout | null = null;
  #overloaded = false;
  #eventLoopDelayMs = 0;
  #heapUsedPercent = 0;
  #totalShed = 0;

  constructor(settings: LoadSheddingSettings, logger: Logger, readings?: LoadReadings) {
    this.settings = settings;
    this.#logger = logger;
    this.#readings = readings ?? null;
  }

  get enabled(): boolean {
    return this.settings.maxEventLoopDelayMs > 0 || this.settings.maxHeapUsedPercent > 0;
  }

  get overloaded(): boolean {
    return this.#overloaded;
  }

  start(): void {
    if (this.#timer || !this.enabled) return;
    // The histogram runs a timer of its own, so it exists only while load shedding is on.
    this.#readings ??= new ProcessReadings();
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.settings.sampleIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#readings instanceof ProcessReadings) {
      this.#readings.close();
      this.#readings = null;
    }
  }

  /** Takes one reading and updates `overloaded`, logging each change once. */
  sample(): void {
    const { maxEventLoopDelayMs, maxHeapUsedPercent } = this.settings;
    this.#readings ??= new ProcessReadings();
    this.#eventLoopDelayMs = this.#readings.eventLoopDelayMs();
    this.#heapUsedPercent = this.#readings.heapUsedPercent();
    const reasons: string[] = [];
    if (maxEventLoopDelayMs > 0 && this.#eventLoopDelayMs > maxEventLoopDelayMs) {
      reasons.push(`event loop delay ${Math.round(this.#eventLoopDelayMs)} ms over ${maxEventLoopDelayMs} ms`);
    }
    if (maxHeapUsedPercent > 0 && this.#heapUsedPercent > maxHeapUsedPercent) {
      reasons.push(`heap ${Math.round(this.#heapUsedPercent)}% of its limit, over ${maxHeapUsedPercent}%`);
    }
    const overloaded = reasons.length > 0;
    if (overloaded === this.#overloaded) return;
    this.#overloaded = overloaded;
    const fields = { eventLoopDelay: round(this.#eventLoopDelayMs), heapUsedPercent: round(this.#heapUsedPercent) };
    if (overloaded) this.#logger.warn({ ...fields, reason: reasons.join('; ') }, 'load shedding started');
    else this.#logger.info({ ...fields, shed: this.#totalShed }, 'load shedding stopped');
  }

  /** Counts one request rejected with 503 because of load. */
  countShed(): void {
    this.#totalShed += 1;
  }

  /** Readings for /health. */
  snapshot() {
    return {
      shedding: this.#overloaded,
      event_loop_delay_ms: round(this.#eventLoopDelayMs),
      heap_used_percent: round(this.#heapUsedPercent),
      total_shed: this.#totalShed,
    };
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

const SHED_MESSAGE = 'The gateway is overloaded; retry later.';

/**
 * Builds the onRequest hook that responds with 503 SERVICE_UNAVAILABLE and
 * Retry-After while the monitor reports overload. /health and /metrics are
 * always served. The body is serialised by hand and the rejection leaves
 * only the access-log line, so shedding costs as little as possible.
 */
export function createLoadSheddingHook(monitor: LoadMonitor) {
  const retryAfter = String(Math.max(1, Math.ceil(monitor.settings.sampleIntervalMs / 1000)));
  return function shedLoad(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
    if (!monitor.overloaded || EXEMPT_ROUTES.has(request.routeOptions.url ?? '')) return done();
    monitor.countShed();
    reply
      .code(503)
      .header('retry-after', retryAfter)
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorJson('SERVICE_UNAVAILABLE', request.id, SHED_MESSAGE));
  };
}
