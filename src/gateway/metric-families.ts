/**
 * Counters and histograms for the per-request hot path. prom-client 15.1.3
 * hashes and validates the labels of its children on every `inc` and
 * `observe`, about 1 µs per request for a counter and a histogram
 * (bench/micro/observability.ts). These families keep plain numbers in
 * series objects that the caller caches instead, and build the exposition
 * values only at scrape time. Each family registers itself with a
 * prom-client Registry through the `get()` method that the Registry reads.
 */
import type { Metric, Registry } from 'prom-client';

interface MetricValue {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

interface MetricSnapshot {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}

function labelsOf(names: readonly string[], values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (let index = 0; index < names.length; index += 1) labels[names[index]] = values[index];
  return labels;
}

export class CounterSeries {
  value = 0;
  readonly labels: Record<string, string>;

  constructor(labels: Record<string, string>) {
    this.labels = labels;
  }

  inc(amount = 1): void {
    this.value += amount;
  }
}

/** A counter with labels; `series` makes one series per distinct label values, to be cached by the caller. */
export class CounterFamily {
  readonly name: string;
  readonly help: string;
  readonly type = 'counter';
  readonly aggregator = 'sum';
  readonly #labelNames: readonly string[];
  readonly #series = new Map<string, CounterSeries>();

  constructor(registry: Registry, options: { name: string; help: string; labelNames: readonly string[] }) {
    this.name = options.name;
    this.help = options.help;
    this.#labelNames = options.labelNames;
    registry.registerMetric(this as unknown as Metric);
  }

  series(...labelValues: string[]): CounterSeries {
    const key = labelValues.join('\u0000');
    let series = this.#series.get(key);
    if (series === undefined) {
      series = new CounterSeries(labelsOf(this.#labelNames, labelValues));
      this.#series.set(key, series);
    }
    return series;
  }

  get(): MetricSnapshot {
    const values: MetricValue[] = [];
    for (const series of this.#series.values()) values.push({ labels: series.labels, value: series.value });
    return { name: this.name, help: this.help, type: 'counter', values, aggregator: 'sum' };
  }
}

export class HistogramSeries {
  readonly labels: Record<string, string>;
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  readonly #bounds: readonly number[];

  constructor(labels: Record<string, string>, bounds: readonly number[]) {
    this.labels = labels;
    this.#bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.#bounds;
    let index = 0;
    while (index < bounds.length && value > bounds[index]) index += 1;
    this.counts[index] += 1;
    this.sum += value;
    this.count += 1;
  }
}

/** A histogram with labels and fixed bucket bounds, exposed with cumulative `le` buckets like prom-client's. */
export class HistogramFamily {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #labelNames: readonly string[];
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();

  constructor(registry: Registry, options: { name: string; help: string; labelNames: readonly string[]; buckets: readonly number[] }) {
    this.name = options.name;
    this.help = options.help;
    this.#labelNames = options.labelNames;
    this.#bounds = [...options.buckets].sort((a, b) => a - b);
    registry.registerMetric(this as unknown as Metric);
  }

  series(...labelValues: string[]): HistogramSeries {
    const key = labelValues.join('\u0000');
    let series = this.#series.get(key);
    if (series === undefined) {
      series = new HistogramSeries(labelsOf(this.#labelNames, labelValues), this.#bounds);
      this.#series.set(key, series);
    }
    return series;
  }

  get(): MetricSnapshot {
    const values: MetricValue[] = [];
    for (const series of this.#series.values()) {
      let cumulative = 0;
      for (let index = 0; index < this.#bounds.length; index += 1) {
        cumulative += series.counts[index];
        values.push({ metricName: `${this.name}_bucket`, labels: { le: this.#bounds[index], ...series.labels }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...series.labels }, value: series.count });
      values.push({ metricName: `${this.name}_sum`, labels: series.labels, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: series.labels, value: series.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }
}
