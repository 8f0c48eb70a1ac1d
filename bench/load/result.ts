/** The figures every load client reports, in one shape whatever the tool. */
export interface LoadResult {
  tool: string;
  /** Responses received, whatever their status. */
  responses: number;
  /** Responses with a status outside 200-299. */
  non2xx: number;
  /** Requests that got no response: connect, read or write errors and timeouts. */
  errors: number;
  durationSeconds: number;
  /** 2xx responses per second over the run. */
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface OpenLoopResult extends LoadResult {
  /** Requests scheduled. */
  sent: number;
  /** How late the timer fired sends after their scheduled time: the client's own share of each latency. */
  sendLagMs: { p50: number; p99: number; max: number };
  /** Responses by HTTP status. */
  statusCounts: Record<string, number>;
  /** CPU seconds the client process spent in all, start-up included, from process.cpuUsage(). */
  clientCpuSeconds: number;
}

/** Settings passed to a load client child process in BENCH_LOAD, as JSON. */
export interface LoadSettings {
  url: string;
  headers: Record<string, string>;
  durationSeconds: number;
  connections: number;
  /** Requests per second, for the open-loop client. */
  rate?: number;
  /** Requests to record, for the sequential client; `durationSeconds` still bounds the run. */
  requests?: number;
  /** Unrecorded requests before the recorded ones, for the sequential client (default 200). */
  warmupRequests?: number;
  /** Seconds of unrecorded load before the measured part, for the open-loop client (default 1). */
  warmupSeconds?: number;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
}

/** Returns the value at quantile q (0..1) of an ascending array, by the nearest-rank method. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function parseLastJsonLine<T>(output: string, source: string): T {
  const line = output
    .trim()
    .split('\n')
    .reverse()
    .find((candidate) => candidate.startsWith('{'));
  if (!line) throw new Error(`${source} printed no JSON result. Output: ${output.slice(-2000)}`);
  return JSON.parse(line) as T;
}
