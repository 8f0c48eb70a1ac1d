/**
 * The gateway's Prometheus metrics (prom-client): requests by route, method
 * and status with their latency, upstream calls with their outcome and
 * latency, circuit-breaker state and transitions, rate-limit rejections,
 * Redis availability, and the Node.js process metrics (event-loop delay,
 * memory, CPU, garbage collection). docs/deployment.md lists every series.
 *
 * Each gateway has its own Registry, so several gateways in one process (as
 * in the tests) keep separate counts. The per-request series are plain
 * numbers (metric-families.ts) cached by label values, so recording a
 * request allocates nothing and hashes no labels.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { CircuitState, CircuitTransition } from './circuit-breaker.ts';
import { CounterFamily, HistogramFamily, type CounterSeries, type HistogramSeries } from './metric-families.ts';
import type { RedisConnection } from './redis.ts';
import type { Upstream } from './upstream.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The gateway's metrics, or null when no endpoint serves them; a rate limiter counts its rejections here. */
    metrics: GatewayMetrics | null;
  }
}

/** Seconds; from 1 ms to 30 s, since a chat message may wait for a whole generated reply. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const CIRCUIT_STATES: CircuitState[] = ['closed', 'half-open', 'open'];
/** Outcome labels of upstream replies, indexed by the first digit of the status. */
const STATUS_CLASSES = ['other', '1xx', '2xx', '3xx', '4xx', '5xx'];
/** Route label of a request that matched no route, so unknown paths cannot grow the label set. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface GatewayMetricsOptions {
  upstreams: Upstream[];
  redis?: RedisConnection | null;
  /** Collects the Node.js process metrics too; off in tests that count series. */
  processMetrics?: boolean;
}

/** The cached series of one route and method. */
interface RouteSeries {
  duration: HistogramSeries;
  byStatus: Map<number, CounterSeries>;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #requests: CounterFamily;
  readonly #requestDuration: HistogramFamily;
  readonly #upstreamRequests: CounterFamily;
  readonly #upstreamDuration: HistogramFamily;
  readonly #upstreamErrors: CounterFamily;
  readonly #breakerTransitions: Counter<'upstream' | 'from' | 'to'>;
  readonly #rateLimitRejections: Counter<'scope'>;
  /** route -> method -> children. */
  readonly #routes = new Map<string, Map<string, RouteSeries>>();
  /** upstream -> outcome -> series. */
  readonly #upstreamOutcomes = new Map<string, Map<string, CounterSeries>>();
  readonly #upstreamLatency = new Map<string, HistogramSeries>();

  constructor(options: GatewayMetricsOptions) {
    const registers = [this.registry];
    this.#requests = new CounterFamily(this.registry, {
      name: 'gateway_http_requests_total',
      help: 'Client requests completed, by route pattern, method and response status.',
      labelNames: ['route', 'method', 'status'],
    });
    this.#requestDuration = new HistogramFamily(this.registry, {
      name: 'gateway_http_request_duration_seconds',
      help: 'Time from receiving a client request to the end of its response, by route pattern and method.',
      labelNames: ['route', 'method'],
      buckets: LATENCY_BUCKETS,
    });
    this.#upstreamRequests = new CounterFamily(this.registry, {
      name: 'gateway_upstream_requests_total',
      help: 'Upstream calls, by upstream and outcome: the status class (2xx to 5xx) of the reply, or the failure kind when there was none.',
      labelNames: ['upstream', 'outcome'],
    });
    this.#upstreamDuration = new HistogramFamily(this.registry, {
      name: 'gateway_upstream_response_seconds',
      help: 'Time from sending an upstream call to its response headers, for calls that got a reply.',
      labelNames: ['upstream'],
      buckets: LATENCY_BUCKETS,
    });
    this.#upstreamErrors = new CounterFamily(this.registry, {
      name: 'gateway_upstream_errors_total',
      help: 'Upstream calls that failed: 5xx replies (kind server-error), or the failure kind, such as timeout, unavailable, circuit-open or bulkhead-full.',
      labelNames: ['upstream', 'kind'],
    });
    this.#breakerTransitions = new Counter({
      name: 'gateway_circuit_breaker_transitions_total',
      help: 'Circuit breaker state changes, by upstream and the states left and entered.',
      labelNames: ['upstream', 'from', 'to'],
      registers,
    });
    this.#rateLimitRejections = new Counter({
      name: 'gateway_rate_limit_rejections_total',
      help: 'Requests rejected with 429 by a rate limit, by the limit that applied.',
      labelNames: ['scope'],
      registers,
    });

    const upstreams = options.upstreams;
    new Gauge({
      name: 'gateway_circuit_breaker_state',
      help: 'Current circuit breaker state per upstream: 1 for the state it is in, 0 for the others.',
      labelNames: ['upstream', 'state'],
      registers,
      collect() {
        for (const upstream of upstreams) {
          for (const state of CIRCUIT_STATES) this.labels(upstream.name, state).set(upstream.breaker.state === state ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'gateway_upstream_healthy',
      help: 'Result of the latest active health check per upstream: 1 healthy, 0 not.',
      labelNames: ['upstream'],
      registers,
      collect() {
        for (const upstream of upstreams) this.labels(upstream.name).set(upstream.health.healthy ? 1 : 0);
      },
    });
    const redis = options.redis;
    if (redis) {
      new Gauge({
        name: 'gateway_redis_up',
        help: 'Whether the connection to Redis is ready: 1 yes, 0 no (shared state follows its failure policy).',
        registers,
        collect() {
          this.set(redis.available ? 1 : 0);
        },
      });
    }
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Records one completed client request; `route` is the route pattern, never the raw path. */
  observeRequest(route: string, method: string, status: number, durationMs: number): void {
    const series = this.#routeSeries(route, method);
    let counter = series.byStatus.get(status);
    if (counter === undefined) {
      counter = this.#requests.series(route, method, String(status));
      series.byStatus.set(status, counter);
    }
    counter.inc();
    series.duration.observe(durationMs / 1000);
  }

  /** Records an upstream call that got response headers with `status`. */
  observeUpstreamReply(upstream: string, status: number, durationMs: number): void {
    this.#upstreamOutcome(upstream, STATUS_CLASSES[Math.min(Math.floor(status / 100), 5)]).inc();
    let latency = this.#upstreamLatency.get(upstream);
    if (latency === undefined) {
      latency = this.#upstreamDuration.series(upstream);
      this.#upstreamLatency.set(upstream, latency);
    }
    latency.observe(durationMs / 1000);
    if (status >= 500) this.#upstreamErrors.series(upstream, 'server-error').inc();
  }

  /**
   * Records an upstream call that ended without a reply. A client that went
   * away or sent a broken body is not counted as an upstream error.
   */
  observeUpstreamFailure(upstream: string, kind: string): void {
    this.#upstreamOutcome(upstream, kind).inc();
    if (kind !== 'client-closed' && kind !== 'bad-request') this.#upstreamErrors.series(upstream, kind).inc();
  }

  recordBreakerTransition(upstream: string, transition: CircuitTransition): void {
    this.#breakerTransitions.labels(upstream, transition.from, transition.to).inc();
  }

  /** Counts one request rejected by a rate limit; `scope` names the limit, such as `ip` or `user`. */
  recordRateLimitRejection(scope: string): void {
    this.#rateLimitRejections.labels(scope).inc();
  }

  /** Renders every metric in the text exposition format, for GET /metrics. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #routeSeries(route: string, method: string): RouteSeries {
    let byMethod = this.#routes.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.#routes.set(route, byMethod);
    }
    let series = byMethod.get(method);
    if (series === undefined) {
      series = { duration: this.#requestDuration.series(route, method), byStatus: new Map() };
      byMethod.set(method, series);
    }
    return series;
  }

  #upstreamOutcome(upstream: string, outcome: string): CounterSeries {
    let byOutcome = this.#upstreamOutcomes.get(upstream);
    if (byOutcome === undefined) {
      byOutcome = new Map();
      this.#upstreamOutcomes.set(upstream, byOutcome);
    }
    let counter = byOutcome.get(outcome);
    if (counter === undefined) {
      counter = this.#upstreamRequests.series(upstream, outcome);
      byOutcome.set(outcome, counter);
    }
    return counter;
  }
}
