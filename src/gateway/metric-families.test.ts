import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { CounterFamily, HistogramFamily } from './metric-families.ts';

test('histogram family matches prom-client output', async () => {
  const ours = new Registry();
  const theirs = new Registry();
  const family = new HistogramFamily(ours, { name: 'latency_seconds', help: 'Latency.', labelNames: ['route'], buckets: [0.01, 0.1, 1] });
  const reference = new Histogram({ name: 'latency_seconds', help: 'Latency.', labelNames: ['route'], buckets: [0.01, 0.1, 1], registers: [theirs] });
  const samples: Array<[string, number]> = [['/a', 0.005], ['/a', 0.01], ['/a', 0.5], ['/a', 7], ['/b', 0.05]];
  for (const [route, value] of samples) {
    family.series(route).observe(value);
    reference.observe({ route }, value);
  }
  assert.equal(await ours.metrics(), await theirs.metrics());
});

test('counter family matches prom-client output', async () => {
  const ours = new Registry();
  const theirs = new Registry();
  const family = new CounterFamily(ours, { name: 'requests_total', help: 'Requests.', labelNames: ['route', 'status'] });
  const reference = new Counter({ name: 'requests_total', help: 'Requests.', labelNames: ['route', 'status'], registers: [theirs] });
  const cached = family.series('/a', '200');
  for (let index = 0; index < 3; index += 1) {
    cached.inc();
    reference.inc({ route: '/a', status: '200' });
  }
  family.series('/a', '500').inc(2);
  reference.inc({ route: '/a', status: '500' }, 2);
  assert.equal(family.series('/a', '200'), cached, 'the same label values give the same series');
  assert.equal(await ours.metrics(), await theirs.metrics());
});
