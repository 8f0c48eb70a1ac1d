/**
 * Command-line flags of `npm run bench`, each with an environment variable
 * that sets the same value (the flag wins). `--quick` is a smoke run: one
 * short round and a smaller connection test.
 */
import { parseArgs } from 'node:util';
import { SYSTEM_IDS, type SystemId } from './systems.ts';
import type { ClosedLoopTool } from './load/clients.ts';

export interface BenchOptions {
  rounds: number;
  /** Seconds of closed-loop load per system and round. */
  durationSeconds: number;
  /** Seconds of open-loop load per system and round. */
  openDurationSeconds: number;
  /** Seconds of closed-loop load per system before the first round. */
  warmupSeconds: number;
  /** Requests per second of the open-loop client. */
  rate: number;
  /** Connections of the closed-loop client. */
  connections: number;
  /** Connections of the open-loop client's pool. */
  openConnections: number;
  systems: SystemId[];
  loadTool: ClosedLoopTool | undefined;
  /** Keep-alive connections held open against the gateway; 0 skips the test. */
  holdConnections: number;
  extras: boolean;
  profile: boolean;
  quick: boolean;
  sutCore: number;
  loadCore: number;
  /** JSON results path, or undefined to write no files (the default of --quick). */
  output: string | undefined;
  chart: string | undefined;
  /** Results JSON of an earlier run to report again instead of measuring. */
  reportFrom: string | undefined;
}

export const HELP = `Usage: npm run bench -- [options]

Compares the upstream called directly, nginx, @fastify/http-proxy,
http-proxy-middleware on Express and the gateway, in interleaved rounds.

  --rounds N             rounds of every system (BENCH_ROUNDS, default 6)
  --duration S           seconds of closed-loop load per system and round (BENCH_DURATION, default 8)
  --open-duration S      seconds of open-loop load per system and round (BENCH_OPEN_DURATION, default 5)
  --warmup S             seconds of unrecorded load per system before round 1 (BENCH_WARMUP, default 4)
  --rate N               open-loop requests per second (BENCH_RATE, default 500)
  --connections N        closed-loop connections (BENCH_CONNECTIONS, default 64)
  --open-connections N   open-loop connection pool size (BENCH_OPEN_CONNECTIONS, default 16)
  --systems LIST         comma-separated subset of ${SYSTEM_IDS.join(',')} (BENCH_SYSTEMS)
  --load TOOL            closed-loop client: wrk or autocannon (BENCH_LOAD_TOOL, default wrk when installed)
  --hold-connections N   keep-alive connections for the memory test, 0 to skip (BENCH_HOLD_CONNECTIONS, default 10000)
  --no-extras            skip the dashboard, breaker and connection tests
  --profile              also run the gateway under --cpu-prof and print its hottest functions
  --quick                smoke run: 1 round of 2 s, 500 held connections, no files written
  --sut-core N           core of the system under test (default 0)
  --load-core N          core of the upstream and the load clients (default 1)
  --output PATH          results JSON (default bench/results/latest.json; none with --quick)
  --chart PATH           SVG chart (default docs/benchmarks-chart.svg; none with --quick)
  --report-from PATH     measure nothing: recompute the summaries, targets, report and chart of an earlier results JSON
  --help                 print this text
`;

function readNumberOption(flag: string | undefined, variable: string, fallback: number, min: number): number {
  const raw = flag ?? process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    throw new TypeError(`invalid ${variable.replace(/^BENCH_/, '').toLowerCase()} "${raw}": expected a number of at least ${min}`);
  }
  return value;
}

export function parseBenchOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      duration: { type: 'string' },
      'open-duration': { type: 'string' },
      warmup: { type: 'string' },
      rate: { type: 'string' },
      connections: { type: 'string' },
      'open-connections': { type: 'string' },
      systems: { type: 'string' },
      load: { type: 'string' },
      'hold-connections': { type: 'string' },
      'no-extras': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'sut-core': { type: 'string' },
      'load-core': { type: 'string' },
      output: { type: 'string' },
      chart: { type: 'string' },
      'report-from': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';

  const quick = values.quick || process.env.BENCH_QUICK === '1';
  const systemList = values.systems ?? process.env.BENCH_SYSTEMS;
  const systems = systemList ? systemList.split(',').map((name) => name.trim()) : [...SYSTEM_IDS];
  for (const name of systems) {
    if (!(SYSTEM_IDS as readonly string[]).includes(name)) {
      throw new TypeError(`unknown system "${name}": expected some of ${SYSTEM_IDS.join(', ')}`);
    }
  }
  const loadTool = values.load ?? process.env.BENCH_LOAD_TOOL;
  if (loadTool !== undefined && loadTool !== 'wrk' && loadTool !== 'autocannon') {
    throw new TypeError(`unknown load tool "${loadTool}": expected wrk or autocannon`);
  }

  return {
    rounds: Math.round(readNumberOption(values.rounds, 'BENCH_ROUNDS', quick ? 1 : 6, 1)),
    durationSeconds: Math.round(readNumberOption(values.duration, 'BENCH_DURATION', quick ? 2 : 8, 1)),
    openDurationSeconds: readNumberOption(values['open-duration'], 'BENCH_OPEN_DURATION', quick ? 2 : 5, 1),
    warmupSeconds: Math.round(readNumberOption(values.warmup, 'BENCH_WARMUP', quick ? 1 : 4, 0)),
    rate: readNumberOption(values.rate, 'BENCH_RATE', 500, 1),
    connections: Math.round(readNumberOption(values.connections, 'BENCH_CONNECTIONS', 64, 1)),
    openConnections: Math.round(readNumberOption(values['open-connections'], 'BENCH_OPEN_CONNECTIONS', 16, 1)),
    systems: SYSTEM_IDS.filter((id) => systems.includes(id)),
    loadTool: loadTool as ClosedLoopTool | undefined,
    holdConnections: Math.round(readNumberOption(values['hold-connections'], 'BENCH_HOLD_CONNECTIONS', quick ? 500 : 10_000, 0)),
    extras: !values['no-extras'],
    profile: values.profile,
    quick,
    sutCore: Math.round(readNumberOption(values['sut-core'], 'BENCH_SUT_CORE', 0, 0)),
    loadCore: Math.round(readNumberOption(values['load-core'], 'BENCH_LOAD_CORE', 1, 0)),
    output: values.output ?? (quick ? undefined : 'bench/results/latest.json'),
    chart: values.chart ?? (quick ? undefined : 'docs/benchmarks-chart.svg'),
    reportFrom: values['report-from'],
  };
}
