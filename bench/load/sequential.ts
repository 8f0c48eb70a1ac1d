/**
 * Sequential client: one keep-alive connection, one request at a time, each
 * sent as soon as the previous response has ended. With nothing queued and
 * no send timer, its latency is the server's own response time plus the
 * loopback round trip, which suits sub-millisecond figures such as a
 * fail-fast rejection.
 *
 * Reads LoadSettings from BENCH_LOAD (`requests` sets the count, after
 * `warmupRequests` unrecorded ones) and prints one OpenLoopResult JSON line.
 */
import { performance } from 'node:perf_hooks';
import { Client } from 'undici';
import { quantile, type LoadSettings, type OpenLoopResult } from './result.ts';

const settings = JSON.parse(process.env.BENCH_LOAD ?? 'null') as LoadSettings | null;
if (!settings?.requests) throw new Error('BENCH_LOAD with url and requests is required');
const timeoutMs = settings.timeoutMs ?? 10_000;
const target = new URL(settings.url);
const path = target.pathname + target.search;
const client = new Client(target.origin, { keepAliveTimeout: 120_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
const deadline = performance.now() + settings.durationSeconds * 1000;

async function requestOnce(): Promise<number> {
  const response = await client.request({ path, method: 'GET', headers: settings!.headers });
  await response.body.dump({ limit: 1 << 20 });
  return response.statusCode;
}

for (let index = 0; index < (settings.warmupRequests ?? 200) && performance.now() < deadline; index += 1) {
  await requestOnce().catch(() => 0);
}

const latencies = new Float64Array(settings.requests);
const statusCounts: Record<string, number> = {};
let measured = 0;
let non2xx = 0;
let errors = 0;
let sent = 0;
const started = performance.now();
while (sent < settings.requests && performance.now() < deadline) {
  sent += 1;
  const sentAt = performance.now();
  try {
    const status = await requestOnce();
    latencies[measured++] = performance.now() - sentAt;
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    if (status < 200 || status > 299) non2xx += 1;
  } catch {
    errors += 1;
  }
}
const elapsedSeconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage();
await client.close();

const sorted = latencies.subarray(0, measured).sort();
const result: OpenLoopResult = {
  tool: 'sequential',
  sent,
  responses: measured,
  non2xx,
  errors,
  durationSeconds: elapsedSeconds,
  requestsPerSecond: (measured - non2xx) / elapsedSeconds,
  p50Ms: quantile(sorted, 0.5),
  p99Ms: quantile(sorted, 0.99),
  maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN,
  sendLagMs: { p50: 0, p99: 0, max: 0 },
  statusCounts,
  clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
