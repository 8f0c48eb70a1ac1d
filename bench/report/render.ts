/** Turns a run's results into the Markdown report and the chart. */
import type { MachineInfo } from '../machine.ts';
import type { BenchOptions } from '../options.ts';
import type { BreakerResult } from '../scenarios/breaker.ts';
import type { ConnectionsResult } from '../scenarios/connections.ts';
import type { DashboardResult } from '../scenarios/dashboard.ts';
import type { ProfileResult } from '../scenarios/profile.ts';
import { SYSTEM_LABELS, type SystemId } from '../systems.ts';
import { renderChart } from './chart.ts';
import type { MetricName, RoundResult, Spread, SystemSummary } from './stats.ts';
import { absoluteTable, coreTable, formatNumber, formatSpread, markdownTable, ratioTable } from './table.ts';
import type { TargetCheck } from './targets.ts';

export const BASELINES: SystemId[] = ['direct', 'fastify-proxy', 'nginx'];

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
  dashboard?: DashboardResult;
  breaker?: BreakerResult;
  connections?: ConnectionsResult;
  profile?: ProfileResult;
  targets: TargetCheck[];
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
    `Command: ${results.command}`,
    `Closed loop: ${settings.closedLoopTool}, ${settings.connections} connections, ${settings.durationSeconds} s per system and round. ` +
      `Open loop: ${settings.rate} req/s for ${settings.openDurationSeconds} s over ${settings.openConnections} connections. ` +
      `System under test on core ${settings.sutCore}; upstream and load clients on core ${settings.loadCore}. Rounds: ${results.rounds.length}.`,
    '',
  );
  for (const skipped of results.skipped) lines.push(`Skipped ${SYSTEM_LABELS[skipped.id]}: ${skipped.reason}`);
  if (results.skipped.length > 0) lines.push('');

  lines.push(`### Absolute figures: median (min–max) over ${results.rounds.length} rounds`, '', absoluteTable(labelled), '');
  lines.push('CPU µs/req of the direct call is the upstream server\'s own CPU per request.', '');
  lines.push('### Core use during the closed-loop runs: median (min–max)', '', coreTable(labelled), '');
  for (const baseline of BASELINES) {
    if (!results.summaries[baseline]) continue;
    const rows = labelled.filter(({ id }) => id !== baseline).map(({ id, label }) => ({ label, ratios: results.ratios[id]?.[baseline] }));
    lines.push(`### Ratios to ${SYSTEM_LABELS[baseline]}: median (min–max) of per-round ratios`, '', ratioTable(rows), '');
  }
  if (results.addedOpenP99) {
    lines.push(`Gateway p99 at ${settings.rate} req/s minus the direct call's, per round: ${formatSpread(results.addedOpenP99, ' ms')}.`, '');
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
    const { refusals, sampleRefusal, tripStatuses, openMs } = results.breaker;
    lines.push(
      '### Open circuit breaker',
      '',
      `Statuses while the circuit opened: ${tripStatuses.join(' ')}. Refusal: ${sampleRefusal.status} ${String(sampleRefusal.code)}, Retry-After ${sampleRefusal.retryAfter ?? 'absent'} (open period set to ${openMs / 1000} s).`,
      `Refusals at ${settings.rate} req/s: p50 ${formatNumber(refusals.p50Ms)} ms, p99 ${formatNumber(refusals.p99Ms)} ms, max ${formatNumber(refusals.maxMs)} ms, statuses ${JSON.stringify(refusals.statusCounts)}, errors ${refusals.errors}.`,
      '',
    );
  }
  if (results.connections) {
    const { requested, baselineRssBytes, peakRssBytes, sampledPeakRssBytes, firstPass, secondPass } = results.connections;
    lines.push(
      '### Idle keep-alive connections',
      '',
      `${requested} connections, one request each: ${firstPass.ok} ok, ${firstPass.non2xx} non-2xx, ${firstPass.errors} errors, ${firstPass.open} open after ${(firstPass.elapsedMs / 1000).toFixed(1)} s.`,
      `Second request on each: ${secondPass.ok} ok, ${secondPass.non2xx} non-2xx, ${secondPass.errors} errors, ${secondPass.open} still open.`,
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
  lines.push(
    '### Targets',
    '',
    markdownTable(
      ['target', 'measured', 'met'],
      results.targets.map((check) => [check.target, check.measured, check.met === undefined ? 'not measured' : check.met ? 'yes' : 'no']),
    ),
    '',
  );
  return lines.join('\n');
}

export function renderResultsChart(results: BenchResults): string {
  const ids = results.systems.filter((id) => results.summaries[id]);
  const pick = (metric: MetricName) => ids.map((id) => results.summaries[id]?.metrics[metric]);
  return renderChart({
    title: 'GET /api/chat/history through each proxy (upstream called directly for comparison)',
    subtitle:
      `${results.machine.cores} cores, ${results.machine.cpuModel}; proxy pinned to 1 core; ` +
      `median of ${results.rounds.length} rounds, whiskers min–max; ${results.command}`,
    systems: ids.map((id) => SYSTEM_LABELS[id]),
    panels: [
      { title: 'Throughput (req/s, higher is better)', values: pick('requestsPerSecond') },
      { title: `p99 ms under load (${results.settings.connections} conns)`, values: pick('p99Ms') },
      { title: `p99 ms at ${results.settings.rate} req/s`, values: pick('openP99Ms') },
      { title: 'CPU µs per request', values: pick('cpuMicrosecondsPerRequest') },
    ],
  });
}
