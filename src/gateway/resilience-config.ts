import { ConfigError, readInteger, readNumber, type Env, type IntegerRange } from '../common/config.ts';

/**
 * The gateway's resilience settings: timeouts, circuit breaker, bulkhead and
 * retries per upstream, load shedding and the shutdown grace period.
 * docs/resilience.md lists every variable with its default and effect.
 */

/** Circuit breaker settings, named after their resilience4j counterparts where one exists. */
export interface BreakerSettings {
  /** Calls in the count-based sliding window (slidingWindowSize). */
  windowSize: number;
  /** Calls the window needs before any rate is evaluated (minimumNumberOfCalls). */
  minimumCalls: number;
  /** Percentage of failed calls in the window that opens the circuit (failureRateThreshold). */
  failureRatePercent: number;
  /** Time to response headers above which a call counts as slow (slowCallDurationThreshold). */
  slowCallMs: number;
  /** Percentage of slow calls in the window that opens the circuit (slowCallRateThreshold). */
  slowCallRatePercent: number;
  /** Wait in the open state after the first trip (waitDurationInOpenState). */
  openMs: number;
  /** Maximum wait in the open state, however often the circuit trips again. */
  maxOpenMs: number;
  /** Factor by which each further trip, before the circuit closes, multiplies the wait. */
  openBackoffMultiplier: number;
  /** Probes that reach the upstream in one half-open period, and successes that close it (permittedNumberOfCallsInHalfOpenState). */
  halfOpenProbes: number;
}

export interface BulkheadSettings {
  /** Calls to the upstream at the same time, headers and body; also the size of its connection pool. */
  maxConcurrent: number;
  /** Calls that may wait for a free slot; further calls fail at once. */
  maxQueue: number;
  /** Maximum wait in the queue. */
  queueTimeoutMs: number;
}

export interface RetrySettings {
  /** Attempts per request, the first included; 1 turns retries off. */
  maxAttempts: number;
  /** Cap of the first backoff; each further retry doubles it, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Retries allowed as a percentage of the requests in the budget window. */
  budgetPercent: number;
  /** Retries always allowed per budget window, on top of the percentage. */
  budgetMinRetries: number;
  budgetWindowMs: number;
}

/** Everything the gateway needs to call one upstream. */
export interface UpstreamSettings {
  connectTimeoutMs: number;
  /** Time from dispatching one attempt to its response headers. */
  headersTimeoutMs: number;
  /** Maximum gap between two chunks of a response body; 0 turns the check off. */
  bodyTimeoutMs: number;
  /** Time from the start of a request to its response headers, across queueing, every attempt and backoff. */
  timeoutMs: number;
  /** How long an idle keep-alive connection to the upstream stays open. */
  keepAliveTimeoutMs: number;
  breaker: BreakerSettings;
  bulkhead: BulkheadSettings;
  retry: RetrySettings;
}

export interface LoadSheddingSettings {
  /** Mean event loop delay over one sample above which requests are shed; 0 turns the check off. */
  maxEventLoopDelayMs: number;
  /** Heap use, as a percentage of V8's heap size limit, above which requests are shed; 0 turns the check off. */
  maxHeapUsedPercent: number;
  sampleIntervalMs: number;
}

const SECOND = 1000;
const HOUR = 3600 * SECOND;

/** Variables that no longer exist, with what replaced them, so an old setting stops start-up instead of being ignored. */
const RETIRED_VARIABLES: Record<string, string> = {
  BREAKER_FAILURE_THRESHOLD: 'the circuit now opens on a failure rate: set BREAKER_FAILURE_RATE, BREAKER_MIN_CALLS and BREAKER_WINDOW_SIZE instead',
  BREAKER_SUCCESS_THRESHOLD: 'set BREAKER_HALF_OPEN_PROBES instead',
};

/** Prefixes of the per-upstream overrides, such as CHAT_UPSTREAM_TIMEOUT_MS for UPSTREAM_TIMEOUT_MS. */
export const UPSTREAM_PREFIXES = { auth: 'AUTH', chat: 'CHAT' } as const;

/** Throws a ConfigError for a retired variable that is still set, globally or for one upstream. */
export function rejectRetiredVariables(env: Env): void {
  for (const [name, replacement] of Object.entries(RETIRED_VARIABLES)) {
    for (const variable of [name, ...Object.values(UPSTREAM_PREFIXES).map((prefix) => `${prefix}_${name}`)]) {
      if (env[variable] !== undefined && env[variable]!.trim() !== '') throw new ConfigError(variable, `no longer supported: ${replacement}`);
    }
  }
}

/**
 * Reads one per-upstream integer: `<PREFIX>_<NAME>` when set, else `<NAME>`,
 * else the default. A bad value throws a ConfigError naming the variable that
 * contains it.
 */
function readUpstreamInteger(env: Env, prefix: string, name: string, fallback: number, range: IntegerRange): number {
  return readInteger(env, `${prefix}_${name}`, readInteger(env, name, fallback, range), range);
}

function readUpstreamNumber(env: Env, prefix: string, name: string, fallback: number, range: IntegerRange): number {
  return readNumber(env, `${prefix}_${name}`, readNumber(env, name, fallback, range), range);
}

/** Returns the variable that set `name` for this upstream, for error messages about combinations. */
function sourceOf(env: Env, prefix: string, name: string): string {
  const prefixed = `${prefix}_${name}`;
  return env[prefixed] !== undefined && env[prefixed]!.trim() !== '' ? prefixed : name;
}

function readBreakerSettings(env: Env, prefix: string): BreakerSettings {
  const settings: BreakerSettings = {
    windowSize: readUpstreamInteger(env, prefix, 'BREAKER_WINDOW_SIZE', 20, { min: 1, max: 1000 }),
    minimumCalls: readUpstreamInteger(env, prefix, 'BREAKER_MIN_CALLS', 10, { min: 1, max: 1000 }),
    failureRatePercent: readUpstreamInteger(env, prefix, 'BREAKER_FAILURE_RATE', 50, { min: 1, max: 100 }),
    slowCallMs: readUpstreamInteger(env, prefix, 'BREAKER_SLOW_CALL_MS', 5 * SECOND, { min: 1, max: HOUR }),
    slowCallRatePercent: readUpstreamInteger(env, prefix, 'BREAKER_SLOW_CALL_RATE', 80, { min: 1, max: 100 }),
    openMs: readUpstreamInteger(env, prefix, 'BREAKER_OPEN_MS', 5 * SECOND, { min: 1, max: HOUR }),
    maxOpenMs: readUpstreamInteger(env, prefix, 'BREAKER_OPEN_MAX_MS', 60 * SECOND, { min: 1, max: HOUR }),
    openBackoffMultiplier: readUpstreamNumber(env, prefix, 'BREAKER_OPEN_MULTIPLIER', 2, { min: 1, max: 10 }),
    halfOpenProbes: readUpstreamInteger(env, prefix, 'BREAKER_HALF_OPEN_PROBES', 3, { min: 1, max: 100 }),
  };
  if (settings.minimumCalls > settings.windowSize) {
    const variable = sourceOf(env, prefix, 'BREAKER_MIN_CALLS');
    throw new ConfigError(variable, `invalid value "${settings.minimumCalls}": must not exceed BREAKER_WINDOW_SIZE (${settings.windowSize})`);
  }
  if (settings.maxOpenMs < settings.openMs) {
    const variable = sourceOf(env, prefix, 'BREAKER_OPEN_MAX_MS');
    throw new ConfigError(variable, `invalid value "${settings.maxOpenMs}": must be at least BREAKER_OPEN_MS (${settings.openMs})`);
  }
  return settings;
}

function readRetrySettings(env: Env, prefix: string): RetrySettings {
  const settings: RetrySettings = {
    maxAttempts: readUpstreamInteger(env, prefix, 'RETRY_MAX_ATTEMPTS', 3, { min: 1, max: 10 }),
    baseDelayMs: readUpstreamInteger(env, prefix, 'RETRY_BASE_DELAY_MS', 50, { min: 1, max: 60 * SECOND }),
    maxDelayMs: readUpstreamInteger(env, prefix, 'RETRY_MAX_DELAY_MS', SECOND, { min: 1, max: 60 * SECOND }),
    budgetPercent: readUpstreamInteger(env, prefix, 'RETRY_BUDGET_PERCENT', 20, { min: 0, max: 100 }),
    budgetMinRetries: readUpstreamInteger(env, prefix, 'RETRY_BUDGET_MIN_RETRIES', 10, { min: 0, max: 10_000 }),
    budgetWindowMs: readUpstreamInteger(env, prefix, 'RETRY_BUDGET_WINDOW_MS', 10 * SECOND, { min: SECOND, max: 60 * SECOND }),
  };
  if (settings.maxDelayMs < settings.baseDelayMs) {
    const variable = sourceOf(env, prefix, 'RETRY_MAX_DELAY_MS');
    throw new ConfigError(variable, `invalid value "${settings.maxDelayMs}": must be at least RETRY_BASE_DELAY_MS (${settings.baseDelayMs})`);
  }
  return settings;
}

/** Reads the settings of one upstream; `prefix` is AUTH or CHAT. */
export function readUpstreamSettings(env: Env, prefix: string): UpstreamSettings {
  return {
    connectTimeoutMs: readUpstreamInteger(env, prefix, 'UPSTREAM_CONNECT_TIMEOUT_MS', 3 * SECOND, { min: 1, max: 60 * SECOND }),
    headersTimeoutMs: readUpstreamInteger(env, prefix, 'UPSTREAM_HEADERS_TIMEOUT_MS', 10 * SECOND, { min: 1, max: HOUR }),
    bodyTimeoutMs: readUpstreamInteger(env, prefix, 'UPSTREAM_BODY_TIMEOUT_MS', 60 * SECOND, { min: 0, max: HOUR }),
    timeoutMs: readUpstreamInteger(env, prefix, 'UPSTREAM_TIMEOUT_MS', 10 * SECOND, { min: 1, max: HOUR }),
    keepAliveTimeoutMs: readUpstreamInteger(env, prefix, 'UPSTREAM_KEEP_ALIVE_TIMEOUT_MS', 4 * SECOND, { min: 1, max: 10 * 60 * SECOND }),
    breaker: readBreakerSettings(env, prefix),
    bulkhead: {
      maxConcurrent: readUpstreamInteger(env, prefix, 'UPSTREAM_CONNECTIONS', 128, { min: 1, max: 10_000 }),
      maxQueue: readUpstreamInteger(env, prefix, 'BULKHEAD_QUEUE_SIZE', 32, { min: 0, max: 10_000 }),
      queueTimeoutMs: readUpstreamInteger(env, prefix, 'BULKHEAD_QUEUE_TIMEOUT_MS', SECOND, { min: 1, max: 60 * SECOND }),
    },
    retry: readRetrySettings(env, prefix),
  };
}

export function readLoadSheddingSettings(env: Env): LoadSheddingSettings {
  // NOTE: 200 ms and 90 % are starting points, not measured under production traffic. An idle gateway
  // reads under 1 ms; tune both against `gateway.load` on /health under real load.
  return {
    maxEventLoopDelayMs: readInteger(env, 'LOAD_SHED_EVENT_LOOP_DELAY_MS', 200, { min: 0, max: 60 * SECOND }),
    maxHeapUsedPercent: readNumber(env, 'LOAD_SHED_HEAP_PERCENT', 90, { min: 0, max: 100 }),
    sampleIntervalMs: readInteger(env, 'LOAD_SHED_SAMPLE_INTERVAL_MS', 500, { min: 10, max: 60 * SECOND }),
  };
}

/** Time that in-flight requests get to finish after SIGTERM before their connections are closed. */
export function readShutdownGraceMs(env: Env): number {
  return readInteger(env, 'SHUTDOWN_GRACE_MS', 10 * SECOND, { min: 0, max: 10 * 60 * SECOND });
}
