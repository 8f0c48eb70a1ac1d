/**
 * The side-by-side measurement. Every system gets the same closed-loop run
 * (throughput, latency under load, CPU per request) and the same open-loop
 * run at a fixed rate. The systems take turns in interleaved rounds
 * (A B C D E, A B C D E, ...), so drift on the machine spreads over all of
 * them alike.
 */
import { performance } from 'node:perf_hooks';
import { coreBusySeconds, cpuSeconds, processTree, waitForQuietCores } from '../cpu-accounting.ts';
import type { LoadClients } from '../load/clients.ts';
import type { BenchOptions } from '../options.ts';
import type { OpenLoopResult } from '../load/result.ts';
import type { CellResult, RoundResult } from '../report/stats.ts';
import type { RunningServer, RunningSystem } from '../systems.ts';

export interface ThroughputContext {
  systems: RunningSystem[];
  upstream: RunningServer;
  clients: LoadClients;
  options: BenchOptions;
  headers: Record<string, string>;
  log: (message: string) => void;
}

export async function runRounds(context: ThroughputContext): Promise<RoundResult[]> {
  const { systems, clients, options, headers, log } = context;
  if (options.warmupSeconds > 0) {
    for (const system of systems) {
      log(`warm-up ${system.label} (${options.warmupSeconds} s)`);
      await clients.closedLoop({ url: system.url, headers, durationSeconds: options.warmupSeconds, connections: options.connections });
    }
  }

  const rounds: RoundResult[] = [];
  for (let index = 0; index < options.rounds; index += 1) {
    const round: RoundResult = {};
    for (const system of systems) {
      const cell = await measureCell(context, system);
      round[system.id] = cell;
      log(`round ${index + 1}/${options.rounds} ${describeCell(system, cell)}`);
    }
    rounds.push(round);
  }
  return rounds;
}

/** Busy share of a core above which it counts as taken by other work, before a run starts. */
const QUIET_BUSY_FRACTION = 0.1;
/** Maximum wait for quiet cores before a run starts anyway, which bounds the time added per run. */
const QUIET_MAX_WAIT_MS = 15_000;

export type ClosedLoopMeasurement = Omit<CellResult, 'openLoop' | 'repeats' | 'openLoopOtherShare'>;

/**
 * Runs the closed-loop load against one system once the cores are quiet, and
 * reads the CPU time its processes and the upstream spent meanwhile.
 */
export async function measureClosedLoop(
  context: Pick<ThroughputContext, 'upstream' | 'clients' | 'options' | 'headers'>,
  system: RunningSystem,
): Promise<ClosedLoopMeasurement> {
  const { upstream, clients, options, headers } = context;
  for (const server of [system.server, upstream]) {
    if (server && !server.process.running) throw new Error(`${server.process.name} has exited: ${server.process.stderrTail}`);
  }
  const quietWaitMs = await waitForQuietCores([options.sutCore, options.loadCore], QUIET_BUSY_FRACTION, QUIET_MAX_WAIT_MS);

  const systemPids = system.cpuRoots.flatMap((pid) => processTree(pid));
  const upstreamPids = processTree(upstream.process.pid);
  const systemBefore = cpuSeconds(systemPids);
  const upstreamBefore = cpuSeconds(upstreamPids);
  const sutCoreBefore = coreBusySeconds(options.sutCore);
  const loadCoreBefore = coreBusySeconds(options.loadCore);
  const wallBefore = performance.now();
  const closedLoop = await clients.closedLoop({
    url: system.url,
    headers,
    durationSeconds: options.durationSeconds,
    connections: options.connections,
  });
  const systemCpu = cpuSeconds(systemPids) - systemBefore;
  const upstreamCpu = cpuSeconds(upstreamPids) - upstreamBefore;
  const wallSeconds = (performance.now() - wallBefore) / 1000;
  const sutCoreBusy = coreBusySeconds(options.sutCore) - sutCoreBefore;
  const loadCoreBusy = coreBusySeconds(options.loadCore) - loadCoreBefore;

  const completed = Math.max(1, closedLoop.responses - closedLoop.non2xx);
  const upstreamCpuMicrosecondsPerRequest = (upstreamCpu / completed) * 1e6;
  return {
    closedLoop,
    cpuMicrosecondsPerRequest: systemPids.length > 0 ? (systemCpu / completed) * 1e6 : upstreamCpuMicrosecondsPerRequest,
    upstreamCpuMicrosecondsPerRequest,
    cores: {
      quietWaitMs,
      sutBusy: sutCoreBusy / wallSeconds,
      sutOther: Math.max(0, sutCoreBusy - systemCpu) / wallSeconds,
      loadBusy: loadCoreBusy / wallSeconds,
    },
  };
}

/**
 * Share of the proxy core that other processes may take during a closed-loop
 * run before the run is repeated: their work competes with the proxy for the
 * core and lowers its throughput.
 */
const MAX_OTHER_SHARE = 0.15;
/** Repeats allowed per run of the benchmark, which bounds the time they add. */
const REPEAT_BUDGET = 20;
/**
 * Share of a core, summed over both cores, that other processes may take
 * during an open-loop run before it is repeated. The open-loop latency is
 * sensitive to any delay on either core.
 */
const MAX_OTHER_SHARE_OPEN_LOOP = 0.1;
let repeatsLeft = REPEAT_BUDGET;

/**
 * Runs the open-loop client against one system and returns, besides its
 * result, the largest share of either core that processes other than the
 * system, the upstream and the client took meanwhile.
 */
async function measureOpenLoop(context: ThroughputContext, system: RunningSystem): Promise<{ openLoop: OpenLoopResult; otherShare: number }> {
  const { upstream, clients, options, headers } = context;
  const ownPids = [...system.cpuRoots, upstream.process.pid].flatMap((pid) => processTree(pid));
  const uniquePids = [...new Set(ownPids)];
  const ownBefore = cpuSeconds(uniquePids);
  const coresBefore = coreBusySeconds(options.sutCore) + coreBusySeconds(options.loadCore);
  const wallBefore = performance.now();
  const openLoop = await clients.openLoop({
    url: system.url,
    headers,
    durationSeconds: options.openDurationSeconds,
    connections: options.openConnections,
    rate: options.rate,
  });
  const wallSeconds = (performance.now() - wallBefore) / 1000;
  const own = cpuSeconds(uniquePids) - ownBefore + openLoop.clientCpuSeconds;
  const coresBusy = coreBusySeconds(options.sutCore) + coreBusySeconds(options.loadCore) - coresBefore;
  return { openLoop, otherShare: Math.max(0, coresBusy - own) / wallSeconds };
}

async function measureCell(context: ThroughputContext, system: RunningSystem): Promise<CellResult> {
  const { log } = context;
  let closedLoop = await measureClosedLoop(context, system);
  let repeats = 0;
  while (system.cpuRoots.length > 0 && closedLoop.cores.sutOther > MAX_OTHER_SHARE && repeatsLeft > 0 && repeats < 2) {
    log(`${system.label}: other processes took ${(closedLoop.cores.sutOther * 100).toFixed(0)}% of the proxy core; repeating the run`);
    repeatsLeft -= 1;
    repeats += 1;
    closedLoop = await measureClosedLoop(context, system);
  }

  let { openLoop, otherShare } = await measureOpenLoop(context, system);
  while (otherShare > MAX_OTHER_SHARE_OPEN_LOOP && repeatsLeft > 0 && repeats < 4) {
    log(`${system.label}: other processes took ${(otherShare * 100).toFixed(0)}% of a core during the open-loop run; repeating it`);
    repeatsLeft -= 1;
    repeats += 1;
    ({ openLoop, otherShare } = await measureOpenLoop(context, system));
  }
  return { ...closedLoop, repeats, openLoopOtherShare: otherShare, openLoop };
}

function describeCell(system: RunningSystem, cell: CellResult): string {
  const { closedLoop, openLoop } = cell;
  const failures = closedLoop.non2xx + closedLoop.errors + openLoop.non2xx + openLoop.errors;
  return (
    `${system.label}: ${Math.round(closedLoop.requestsPerSecond)} req/s, ` +
    `p50 ${closedLoop.p50Ms.toFixed(2)} ms, p99 ${closedLoop.p99Ms.toFixed(2)} ms, ` +
    `at ${Math.round(openLoop.requestsPerSecond)}/s p50 ${openLoop.p50Ms.toFixed(2)} ms p99 ${openLoop.p99Ms.toFixed(2)} ms, ` +
    `CPU ${cell.cpuMicrosecondsPerRequest.toFixed(1)} µs/req` +
    (failures > 0 ? `, FAILED REQUESTS: ${failures}` : '')
  );
}
