/** Markdown tables of the summaries, printed to the console and pasted into docs/benchmarks.md. */
import type { SystemId } from '../systems.ts';
import { METRIC_NAMES, METRICS, type MetricName, type Spread, type SystemSummary } from './stats.ts';

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function formatSpread(value: Spread | undefined, suffix = ''): string {
  if (!value || value.samples === 0) return 'n/a';
  if (value.samples === 1) return `${formatNumber(value.median)}${suffix}`;
  return `${formatNumber(value.median)}${suffix} (${formatNumber(value.min)}–${formatNumber(value.max)})`;
}

export function markdownTable(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, index) => (index === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

export interface LabelledSummary {
  id: SystemId;
  label: string;
  summary: SystemSummary;
}

/** Absolute figures: median (min–max) over rounds, plus failed requests summed over rounds. */
export function absoluteTable(systems: LabelledSummary[]): string {
  const header = ['system', ...METRIC_NAMES.map((name) => METRICS[name].label), 'upstream CPU µs/req', 'non-2xx / errors'];
  const rows = systems.map(({ label, summary }) => [
    label,
    ...METRIC_NAMES.map((name) => formatSpread(summary.metrics[name])),
    formatSpread(summary.upstreamCpuMicrosecondsPerRequest),
    `${summary.failures.non2xx} / ${summary.failures.errors}`,
  ]);
  return markdownTable(header, rows);
}

/** Ratios system / baseline: median (min–max) of the per-round ratios. */
export function ratioTable(systems: { label: string; ratios: Record<MetricName, Spread> | undefined }[]): string {
  const header = ['system', ...METRIC_NAMES.map((name) => METRICS[name].label)];
  const rows = systems.map(({ label, ratios }) => [label, ...METRIC_NAMES.map((name) => formatSpread(ratios?.[name], '×'))]);
  return markdownTable(header, rows);
}

/** Core use during the closed-loop runs, in percent: shows which side limited throughput and how much other work ran. */
export function coreTable(systems: LabelledSummary[]): string {
  const header = [
    'system',
    'waited for quiet cores, s',
    'runs repeated',
    'proxy core busy %',
    'of it, other processes %',
    'upstream + load core busy %',
    'other processes during open loop, % of a core',
  ];
  const rows = systems.map(({ label, summary }) => [
    label,
    formatSpread(summary.cores.quietWaitSeconds),
    String(summary.repeats),
    formatSpread(summary.cores.sutBusy),
    formatSpread(summary.cores.sutOther),
    formatSpread(summary.cores.loadBusy),
    formatSpread(summary.cores.openLoopOther),
  ]);
  return markdownTable(header, rows);
}
