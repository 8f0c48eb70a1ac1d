/**
 * Summaries over rounds: the median and the spread (min-max) of each metric,
 * and of each per-round ratio against a baseline system measured in the same
 * round.
 */
import type { LoadResult, OpenLoopResult } from '../load/result.ts';
import type { SystemId } from '../systems.ts';

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** How many rounds the figure comes from. */
  samples: number;
}

/** One system measured in one round. */
export interface CellResult {
  closedLoop: LoadResult;
  /** CPU seconds of the system's processes per 2xx response, in microseconds; the upstream's for the direct call. */
  cpuMicrosecondsPerRequest: number;
  /** CPU of the upstream per response, in microseconds: the same work behind every system. */
  upstreamCpuMicrosecondsPerRequest: number;
  /**
   * Core use during the closed-loop run, as fractions of the wall time, read
   * from /proc/stat. `sutOther` is the part of the proxy core's busy time
   * that the system's own processes did not spend (other work on the
   * machine, or softirq time). `loadBusy` is the core of the upstream and
   * the load client.
   */
  cores: {
    /** Time spent waiting for both cores to be quiet before the run (bounded). */
    quietWaitMs: number;
    sutBusy: number;
    sutOther: number;
    loadBusy: number;
  };
  /** Runs discarded and repeated because other processes took too much of a core. */
  repeats: number;
  /** Share of a core that other processes took during the kept open-loop run (both cores summed). */
  openLoopOtherShare: number;
  openLoop: OpenLoopResult;
}

export type RoundResult = Partial<Record<SystemId, CellResult>>;

export const METRICS = {
  requestsPerSecond: { label: 'req/s', unit: '', pick: (cell: CellResult) => cell.closedLoop.requestsPerSecond },
  p50Ms: { label: 'p50 ms (load)', unit: 'ms', pick: (cell: CellResult) => cell.closedLoop.p50Ms },
  p99Ms: { label: 'p99 ms (load)', unit: 'ms', pick: (cell: CellResult) => cell.closedLoop.p99Ms },
  openP50Ms: { label: 'p50 ms (500/s)', unit: 'ms', pick: (cell: CellResult) => cell.openLoop.p50Ms },
  openP99Ms: { label: 'p99 ms (500/s)', unit: 'ms', pick: (cell: CellResult) => cell.openLoop.p99Ms },
  cpuMicrosecondsPerRequest: { label: 'CPU µs/req', unit: 'µs', pick: (cell: CellResult) => cell.cpuMicrosecondsPerRequest },
} as const;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export function spread(values: number[]): Spread {
  const finite = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, samples: 0 };
  const middle = Math.floor(finite.length / 2);
  const median = finite.length % 2 === 1 ? finite[middle] : (finite[middle - 1] + finite[middle]) / 2;
  return { median, min: finite[0], max: finite[finite.length - 1], samples: finite.length };
}

export interface SystemSummary {
  metrics: Record<MetricName, Spread>;
  upstreamCpuMicrosecondsPerRequest: Spread;
  cores: { quietWaitSeconds: Spread; sutBusy: Spread; sutOther: Spread; loadBusy: Spread; openLoopOther: Spread };
  /** Closed-loop runs repeated over all rounds because of other work on the proxy core. */
  repeats: number;
  /** Sums over all rounds, closed-loop and open-loop runs together. */
  failures: { non2xx: number; errors: number; responses: number };
}

export function summarizeSystem(rounds: RoundResult[], id: SystemId): SystemSummary | undefined {
  const cells = rounds.map((round) => round[id]).filter((cell): cell is CellResult => cell !== undefined);
  if (cells.length === 0) return undefined;
  const metrics = Object.fromEntries(
    METRIC_NAMES.map((name) => [name, spread(cells.map((cell) => METRICS[name].pick(cell)))]),
  ) as Record<MetricName, Spread>;
  const failures = { non2xx: 0, errors: 0, responses: 0 };
  for (const cell of cells) {
    for (const run of [cell.closedLoop, cell.openLoop]) {
      failures.non2xx += run.non2xx;
      failures.errors += run.errors;
      failures.responses += run.responses;
    }
  }
  return {
    metrics,
    upstreamCpuMicrosecondsPerRequest: spread(cells.map((cell) => cell.upstreamCpuMicrosecondsPerRequest)),
    cores: {
      quietWaitSeconds: spread(cells.map((cell) => cell.cores.quietWaitMs / 1000)),
      sutBusy: spread(cells.map((cell) => cell.cores.sutBusy * 100)),
      sutOther: spread(cells.map((cell) => cell.cores.sutOther * 100)),
      loadBusy: spread(cells.map((cell) => cell.cores.loadBusy * 100)),
      openLoopOther: spread(cells.map((cell) => cell.openLoopOtherShare * 100)),
    },
    repeats: cells.reduce((sum, cell) => sum + cell.repeats, 0),
    failures,
  };
}

/** Per-round ratio system / baseline for every metric, summarized over the rounds where both ran. */
export function summarizeRatios(rounds: RoundResult[], id: SystemId, baseline: SystemId): Record<MetricName, Spread> | undefined {
  const pairs = rounds
    .map((round) => [round[id], round[baseline]] as const)
    .filter((pair): pair is readonly [CellResult, CellResult] => pair[0] !== undefined && pair[1] !== undefined);
  if (pairs.length === 0) return undefined;
  return Object.fromEntries(
    METRIC_NAMES.map((name) => [name, spread(pairs.map(([cell, base]) => METRICS[name].pick(cell) / METRICS[name].pick(base)))]),
  ) as Record<MetricName, Spread>;
}

/**
 * Per-round difference of the open-loop p99 between a system and the direct
 * call, in milliseconds. With `maxOtherShare`, only rounds where other
 * processes took at most that share of a core during both open-loop runs count.
 */
export function addedOpenLoopP99(rounds: RoundResult[], id: SystemId, maxOtherShare = Infinity): Spread | undefined {
  const differences = rounds
    .filter((round) => round[id] && round.direct)
    .filter((round) => Math.max(round[id]!.openLoopOtherShare, round.direct!.openLoopOtherShare) <= maxOtherShare)
    .map((round) => (round[id] as CellResult).openLoop.p99Ms - (round.direct as CellResult).openLoop.p99Ms);
  return differences.length > 0 ? spread(differences) : undefined;
}
