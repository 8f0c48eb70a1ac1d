/**
 * Closed-loop load with autocannon, the fallback when wrk is not installed.
 * Reads LoadSettings from BENCH_LOAD and prints one LoadResult JSON line.
 */
import autocannon from 'autocannon';
import type { LoadResult, LoadSettings } from './result.ts';

const settings = JSON.parse(process.env.BENCH_LOAD ?? 'null') as LoadSettings | null;
if (!settings) throw new Error('BENCH_LOAD with url, durationSeconds and connections is required');

const result = await autocannon({
  url: settings.url,
  headers: settings.headers,
  connections: settings.connections,
  duration: settings.durationSeconds,
  timeout: Math.ceil((settings.timeoutMs ?? 10_000) / 1000),
});
const ok = result['2xx'];
const summary: LoadResult = {
  tool: 'autocannon',
  responses: ok + result.non2xx,
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
  durationSeconds: result.duration,
  requestsPerSecond: ok / result.duration,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  maxMs: result.latency.max,
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(0);
