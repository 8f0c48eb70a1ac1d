/**
 * Micro-benchmark of what metrics and tracing add to each gateway request.
 * It records one request (a counter and a latency histogram) with the
 * gateway's cached plain series, next to prom-client's labelled children and
 * label objects. It also starts a request's trace context with and without
 * an incoming traceparent, without span export.
 * Run: taskset -c 0 node --import tsx bench/micro/observability.ts
 */
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Counter, Histogram, Registry } from 'prom-client';
import { GatewayMetrics } from '../../src/gateway/metrics.ts';
import { GatewayTracing } from '../../src/gateway/tracing.ts';

const OPERATIONS = 1_000_000;
const ROUNDS = 3;
const ROUTES = ['/api/chat/history', '/api/auth/profile', '/api/dashboard'];
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function measure(label: string, operation: (index: number) => void): void {
  for (let index = 0; index < 100_000; index += 1) operation(index);
  const perOperation: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now();
    for (let index = 0; index < OPERATIONS; index += 1) operation(index);
    perOperation.push(((performance.now() - started) * 1e6) / OPERATIONS);
  }
  perOperation.sort((a, b) => a - b);
  console.log(`${label.padEnd(58)} ${perOperation[1].toFixed(0).padStart(6)} ns (median of ${ROUNDS} rounds of ${OPERATIONS})`);
}

const metrics = new GatewayMetrics({ upstreams: [], processMetrics: false });
measure('gateway: observeRequest (cached plain series)', (index) => metrics.observeRequest(ROUTES[index % 3], 'GET', 200, 1.5));

const registry = new Registry();
const counter = new Counter({ name: 'requests_total', help: 'h', labelNames: ['route', 'method', 'status'], registers: [registry] });
const histogram = new Histogram({ name: 'duration_seconds', help: 'h', labelNames: ['route', 'method'], buckets: BUCKETS, registers: [registry] });
const children = ROUTES.map((route) => ({ counter: counter.labels(route, 'GET', '200'), histogram: histogram.labels(route, 'GET') }));
measure('prom-client: cached labels() children', (index) => {
  children[index % 3].counter.inc();
  children[index % 3].histogram.observe(0.0015);
});
measure('prom-client: inc/observe with a label object', (index) => {
  counter.inc({ route: ROUTES[index % 3], method: 'GET', status: '200' });
  histogram.observe({ route: ROUTES[index % 3], method: 'GET' }, 0.0015);
});

const tracing = new GatewayTracing(null);
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
measure('tracing: begin without traceparent (new trace)', () => tracing.begin({ method: 'GET', headers: {} } as unknown as IncomingMessage));
measure('tracing: begin with a valid traceparent', () => tracing.begin({ method: 'GET', headers: { traceparent } } as unknown as IncomingMessage));
