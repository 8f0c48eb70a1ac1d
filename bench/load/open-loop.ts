/**
 * Open-loop load client: sends requests on a fixed schedule (`rate` per
 * second) over a pool of keep-alive connections and measures each latency
 * from the request's scheduled send time, not from when a connection became
 * free. A slow server therefore cannot slow the senders down and hide its
 * queueing (the coordinated-omission error of closed-loop clients).
 *
 * The first `warmupSeconds` of the schedule run at the same rate but are not
 * recorded, so JIT compilation and connection set-up in this client stay out
 * of the figures.
 *
 * Reads LoadSettings from BENCH_LOAD and prints one JSON line: the
 * LoadResult plus how late the timer fired sends (`sendLagMs`), which is the
 * client's own share of every latency.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { quantile, type LoadSettings, type OpenLoopResult } from './result.ts';

const settings = JSON.parse(process.env.BENCH_LOAD ?? 'null') as LoadSettings | null;
if (!settings?.rate) throw new Error('BENCH_LOAD with url, rate, durationSeconds and connections is required');
const rate = settings.rate;
const timeoutMs = settings.timeoutMs ?? 10_000;
const target = new URL(settings.url);
const path = target.pathname + target.search;
const warmupCount = Math.round(rate * (settings.warmupSeconds ?? 1));
const measuredCount = Math.max(1, Math.round(rate * settings.durationSeconds));
const total = warmupCount + measuredCount;
const intervalMs = 1000 / rate;

const pool = new Pool(target.origin, {
  connections: settings.connections,
  pipelining: 1,
  keepAliveTimeout: 120_000,
  headersTimeout: timeoutMs,
  bodyTimeout: timeoutMs,
});

const latencies = new Float64Array(measuredCount);
const sendLags = new Float64Array(measuredCount);
let measured = 0;
let non2xx = 0;
let errors = 0;
let settled = 0;
const statusCounts: Record<string, number> = {};

async function send(scheduledAt: number, index: number): Promise<void> {
  const recorded = index >= warmupCount;
  if (recorded) sendLags[index - warmupCount] = performance.now() - scheduledAt;
  try {
    const response = await pool.request({ path, method: 'GET', headers: settings!.headers });
    await response.body.dump({ limit: 1 << 20 });
    settled += 1;
    if (!recorded) return;
    latencies[measured++] = performance.now() - scheduledAt;
    statusCounts[response.statusCode] = (statusCounts[response.statusCode] ?? 0) + 1;
    if (response.statusCode < 200 || response.statusCode > 299) non2xx += 1;
  } catch {
    settled += 1;
    if (recorded) errors += 1;
  }
}

/** Opens the pool's connections before the schedule starts, so connecting is not measured. */
async function warmConnections(): Promise<void> {
  await Promise.all(
    Array.from({ length: settings!.connections }, async () => {
      try {
        const response = await pool.request({ path, method: 'GET', headers: settings!.headers });
        await response.body.dump();
      } catch {
        // A failed warm-up request shows up again as errors in the measured run.
      }
    }),
  );
}

/** Runs the whole schedule and resolves with the scheduled time of the first recorded request. */
function runSchedule(): Promise<number> {
  return new Promise((resolve) => {
    const start = performance.now() + 20;
    let next = 0;
    const tick = (): void => {
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) {
        void send(start + next * intervalMs, next);
        next += 1;
      }
      if (next < total) setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
      else resolve(start + warmupCount * intervalMs);
    };
    tick();
  });
}

async function waitForSettled(deadlineMs: number): Promise<void> {
  while (settled < total && performance.now() < deadlineMs) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

await warmConnections();
const start = await runSchedule();
await waitForSettled(performance.now() + timeoutMs + 1000);
const elapsedSeconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage();
await pool.destroy();

const sorted = latencies.subarray(0, measured).sort();
const lags = sendLags.sort();
const unanswered = total - settled;
const result: OpenLoopResult = {
  tool: 'open-loop',
  sent: measuredCount,
  responses: measured,
  non2xx,
  errors: errors + unanswered,
  durationSeconds: elapsedSeconds,
  requestsPerSecond: (measured - non2xx) / elapsedSeconds,
  p50Ms: quantile(sorted, 0.5),
  p99Ms: quantile(sorted, 0.99),
  maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN,
  sendLagMs: { p50: quantile(lags, 0.5), p99: quantile(lags, 0.99), max: lags[lags.length - 1] },
  statusCounts,
  clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
