/** Turns a run's results into the Markdown report and the chart. */
import type { OpenLoopResult } from '../load/result.ts';
import type { MachineInfo } from '../machine.ts';
import type { BenchOptions } from '../options.ts';
import type { BreakerResult } from '../scenarios/breaker.ts';
import type { ConnectionsResult } from '../scenarios/connections.ts';
import type { DashboardResult } from '../scenarios/dashboard.ts';
import type { ProfileResult } from '../scenarios/profile.ts';
import type { VariantResult } from '../scenarios/variants.ts';
import { SYSTEM_LABELS, type SystemId } from '../systems.ts';
import { renderChart } from './chart.ts';
import { spread, type MetricName, type RoundResult, type Spread, type SystemSummary } from './stats.ts';
import { absoluteTable, coreTable, formatNumber, formatSpread, markdownTable, ratioTable } from './table.ts';
import type { TargetCheck } from './targets.ts';

export const BASELINES: SystemId[] = ['direct', 'fastify-proxy', 'nginx'];

/** Largest share of a core taken by other processes during an open-loop run for its round to count as quiet. */
export const QUIET_OPEN_LOOP_SHARE = 0.2;

export interface BenchResults {
  generatedAt: string;
  command: string;
  machine: MachineInfo;
  settings: BenchOptions & { closedLoopTool: string; upstreamBodyBytes: number };
  systems: SystemId[];
  skipped: { id: SystemId; reason: string }[];
  rounds: RoundResult[];
  summaries: Partial<Record<SystemId, SystemSummary>>;
  /** ratios[system][baseline][metric]: per-round system / baseline. */
  ratios: Partial<Record<SystemId, Partial<Record<SystemId, Record<MetricName, Spread>>>>>;
  /** Per-round gateway open-loop p99 minus the direct call's, in ms. */
  addedOpenP99: Spread | undefined;
  /** The same over the quiet rounds only, see QUIET_OPEN_LOOP_SHARE. */
  addedOpenP99Quiet: Spread | undefined;
  dashboard?: DashboardResult;
  breaker?: BreakerResult;
  connections?: ConnectionsResult;
  profile?: ProfileResult;
  /** Gateway variants without one stage, measured with --profile. */
  variants?: VariantResult[];
  /** Error message of each scenario that failed, by scenario name. */
  scenarioErrors: Record<string, string>;
  targets: TargetCheck[];
}

function verdict(check: TargetCheck): string {
  if (check.met === undefined) return 'not measured';
  return check.met ? 'yes' : 'no';
}

function latencyRow(label: string, run: OpenLoopResult): string[] {
  return [label, formatNumber(run.p50Ms), formatNumber(run.p99Ms), formatNumber(run.maxMs), JSON.stringify(run.statusCounts), String(run.errors)];
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function renderReport(results: BenchResults): string {
  const { settings, machine } = results;
  const lines: string[] = [];
  const labelled = results.systems
    .filter((id) => results.summaries[id])
    .map((id) => ({ id, label: SYSTEM_LABELS[id], summary: results.summaries[id] as SystemSummary }));

  lines.push(
    `Machine: ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}, ${machine.nginx ?? 'no nginx'}, ${machine.wrk ?? 'no wrk'}; load average at start ${machine.loadAverageAtStart}.`,
    `Code: commit ${machine.gitCommit ?? 'unknown'}${machine.sourceModified ? ' with uncommitted changes under src/' : ''}.`,
    `Command: ${results.command}`,
    `Closed loop: ${settings.closedLoopTool}, ${settings.connections} connections, ${settings.durationSeconds} s per system and round. ` +
      `Open loop: ${settings.rate} req/s for ${settings.openDurationSeconds} s over ${settings.openConnections} connections. ` +
      `System under test on core ${settings.sutCore}; upstream and load clients on core ${settings.loadCore}. Rounds: ${results.rounds.length}.`,
    '',
  );
  for (const skipped of results.skipped) lines.push(`Skipped ${SYSTEM_LABELS[skipped.id]}: ${skipped.reason}`);
  for (const [name, message] of Object.entries(results.scenarioErrors)) lines.push(`Scenario ${name} failed: ${message}`);
  if (results.skipped.length > 0 || Object.keys(results.scenarioErrors).length > 0) lines.push('');

  lines.push(`### Absolute figures: median (min–max) over ${results.rounds.length} rounds`, '', absoluteTable(labelled), '');
  lines.push('CPU µs/req of the direct call is the upstream server\'s own CPU per request.', '');
  lines.push('### Core use during the closed-loop runs: median (min–max)', '', coreTable(labelled), '');
  for (const baseline of BASELINES) {
    if (!results.summaries[baseline]) continue;
    const rows = labelled.filter(({ id }) => id !== baseline).map(({ id, label }) => ({ label, ratios: results.ratios[id]?.[baseline] }));
    lines.push(`### Ratios to ${SYSTEM_LABELS[baseline]}: median (min–max) of per-round ratios`, '', ratioTable(rows), '');
  }
  if (results.addedOpenP99) {
    lines.push(
      `Gateway p99 at ${settings.rate} req/s minus the direct call's, per round: ${formatSpread(results.addedOpenP99, ' ms')}; ` +
        `over the ${results.addedOpenP99Quiet?.samples ?? 0} rounds where other processes took at most ${QUIET_OPEN_LOOP_SHARE * 100}% of a core during both runs: ` +
        `${formatSpread(results.addedOpenP99Quiet, ' ms')}.`,
      '',
    );
  }

  if (results.dashboard) {
    const { dashboard, slowestPart, delaysMs, rate, sample } = results.dashboard;
    lines.push(
      '### Dashboard fan-out',
      '',
      `Parts slowed to profile ${delaysMs.profile} ms, history ${delaysMs.history} ms, avatar ${delaysMs.avatar} ms; ${rate} req/s open loop.`,
      '',
      markdownTable(
        ['request', 'p50 ms', 'p99 ms', 'responses', 'non-2xx / errors'],
        [
          ['GET /api/dashboard through the gateway', formatNumber(dashboard.p50Ms), formatNumber(dashboard.p99Ms), String(dashboard.responses), `${dashboard.non2xx} / ${dashboard.errors}`],
          ['slowest part (avatar) directly', formatNumber(slowestPart.p50Ms), formatNumber(slowestPart.p99Ms), String(slowestPart.responses), `${slowestPart.non2xx} / ${slowestPart.errors}`],
        ],
      ),
      '',
      `Ratio dashboard / slowest part: p50 ${results.dashboard.ratioP50.toFixed(3)}×, p99 ${results.dashboard.ratioP99.toFixed(3)}×. Sample response: status ${sample.status}, meta ${JSON.stringify(sample.meta)}.`,
      '',
    );
  }
  if (results.breaker) {
    const { rejections, sequentialRejections, sequentialDirect, sampleRejection, tripStatuses, openMs } = results.breaker;
    lines.push(
      '### Open circuit breaker',
      '',
      `p99 of each sequential run: rejections ${results.breaker.sequentialP99sMs.rejections.map(formatNumber).join(', ')} ms; ` +
        `direct ${results.breaker.sequentialP99sMs.direct.map(formatNumber).join(', ')} ms.`,
      `Statuses while the circuit opened: ${tripStatuses.join(' ')}. Rejection: ${sampleRejection.status} ${String(sampleRejection.code)}, Retry-After ${sampleRejection.retryAfter ?? 'absent'} (open period set to ${openMs / 1000} s).`,
      results.breaker.gatewayTime
        ? `The gateway's own time per rejection (access-log responseTime, every request after the circuit opened, ${results.breaker.gatewayTime.requests} in all): ` +
            `p50 ${formatNumber(results.breaker.gatewayTime.p50Ms)} ms, p99 ${formatNumber(results.breaker.gatewayTime.p99Ms)} ms, max ${formatNumber(results.breaker.gatewayTime.maxMs)} ms.`
        : 'The gateway log held no rejection lines, so its own time per rejection is not reported.',
      '',
      markdownTable(
        ['requests', 'p50 ms', 'p99 ms', 'max ms', 'statuses', 'errors'],
        [
          latencyRow('rejections, one at a time (run with the median p99)', sequentialRejections),
          latencyRow('direct 200s from the upstream, one at a time, the client floor (run with the median p99)', sequentialDirect),
          latencyRow(`rejections at ${settings.rate} req/s (open loop)`, rejections),
        ],
      ),
      '',
    );
  }
  if (results.connections) {
    const { requested, baselineRssBytes, peakRssBytes, sampledPeakRssBytes, firstPass, secondPass } = results.connections;
    lines.push(
      '### Idle keep-alive connections',
      '',
      `${requested} connections, one request each: ${firstPass.ok} ok, ${firstPass.non2xx} non-2xx, ${firstPass.errors} errors ` +
        `(statuses ${JSON.stringify(firstPass.statusCounts)}), ${firstPass.open} open after ${(firstPass.elapsedMs / 1000).toFixed(1)} s.`,
      `Second request on each: ${secondPass.ok} ok, ${secondPass.non2xx} non-2xx, ${secondPass.errors} errors ` +
        `(statuses ${JSON.stringify(secondPass.statusCounts)}), ${secondPass.open} still open.`,
      `Gateway RSS: ${megabytes(baselineRssBytes)} before, ${megabytes(sampledPeakRssBytes)} highest sample while holding, ${megabytes(peakRssBytes)} peak (VmHWM).`,
      '',
    );
  }
  if (results.profile) {
    const { summary, load } = results.profile;
    const entries = (list: { name: string; milliseconds: number; percent: number }[]): string[][] =>
      list.map((entry) => [entry.name, entry.milliseconds.toFixed(0), `${entry.percent.toFixed(1)}%`]);
    lines.push(
      '### Gateway CPU profile',
      '',
      `${formatNumber(load.requestsPerSecond)} req/s under --cpu-prof; ${(summary.busyMs / 1000).toFixed(1)} s busy of ${(summary.durationMs / 1000).toFixed(1)} s profiled.`,
      '',
      'Self time by area:',
      '',
      markdownTable(['area', 'ms', 'share of busy'], entries(summary.byArea)),
      '',
      'Self time by function:',
      '',
      markdownTable(['function', 'ms', 'share of busy'], entries(summary.topSelf)),
      '',
      'Inclusive time by function:',
      '',
      markdownTable(['function', 'ms', 'share of busy'], entries(summary.topInclusive)),
      '',
    );
  }
  if (results.variants) {
    const baseline = results.variants[0];
    const baselineCpu = spread(baseline.rounds.map((round) => round.cpuMicrosecondsPerRequest)).median;
    lines.push(
      '### Gateway variants: one stage changed',
      '',
      markdownTable(
        ['variant', 'req/s', 'CPU µs/req', 'CPU µs/req vs as benchmarked', 'non-2xx / errors'],
        results.variants.map((variant) => {
          const cpu = spread(variant.rounds.map((round) => round.cpuMicrosecondsPerRequest));
          const failures = variant.rounds.reduce((sum, round) => sum + round.closedLoop.non2xx + round.closedLoop.errors, 0);
          return [
            variant.label,
            formatSpread(spread(variant.rounds.map((round) => round.closedLoop.requestsPerSecond))),
            formatSpread(cpu),
            variant === baseline ? '' : `${cpu.median - baselineCpu >= 0 ? '+' : ''}${formatNumber(cpu.median - baselineCpu)}`,
            String(failures),
          ];
        }),
      ),
      '',
    );
  }
  lines.push(
    '### Targets',
    '',
    markdownTable(
      ['target', 'measured', 'met'],
      results.targets.map((check) => [check.target, check.measured, verdict(check)]),
    ),
    '',
  );
  return lines.join('\n');
}

/** Fill color of each system in the chart. */
const SYSTEM_COLORS: Record<SystemId, string> = {
  direct: '#8d8d8d',
  nginx: '#2a9d8f',
  'fastify-proxy': '#e9c46a',
  'express-proxy': '#f4a261',
  gateway: '#9b2226',
};

export function renderResultsChart(results: BenchResults): string {
  const ids = results.systems.filter((id) => results.summaries[id]);
  const pick = (metric: MetricName) => ids.map((id) => results.summaries[id]?.metrics[metric]);
  return renderChart({
    title: 'GET /api/chat/history through each proxy, and the upstream called directly',
    subtitle: [
      `${results.machine.cores} cores, ${results.machine.cpuModel}, Node ${results.machine.node}; proxy pinned to one core, upstream and load client to the other.`,
      `Bars: median of ${results.rounds.length} rounds; whiskers: min–max. Command: ${results.command}`,
    ],
    systems: ids.map((id) => ({ label: SYSTEM_LABELS[id], color: SYSTEM_COLORS[id] })),
    panels: [
      { title: 'Throughput, req/s (higher is better)', values: pick('requestsPerSecond') },
      { title: `p99 ms under load (${results.settings.connections} conns)`, values: pick('p99Ms') },
      { title: `p99 ms at ${results.settings.rate} req/s (open loop)`, values: pick('openP99Ms') },
      { title: 'CPU µs per request (direct: upstream)', values: pick('cpuMicrosecondsPerRequest') },
    ],
  });
}
