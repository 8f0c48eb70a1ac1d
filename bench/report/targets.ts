/** The gateway's performance targets, checked against the measured figures. */
import type { BreakerResult } from '../scenarios/breaker.ts';
import type { ConnectionsResult } from '../scenarios/connections.ts';
import type { DashboardResult } from '../scenarios/dashboard.ts';
import type { SystemId } from '../systems.ts';
import type { MetricName, Spread, SystemSummary } from './stats.ts';
import { formatNumber } from './table.ts';

export interface TargetCheck {
  target: string;
  measured: string;
  /** undefined when a figure the target needs was not measured. */
  met: boolean | undefined;
}

export interface TargetInputs {
  summaries: Partial<Record<SystemId, SystemSummary>>;
  ratios: Partial<Record<SystemId, Partial<Record<SystemId, Record<MetricName, Spread>>>>>;
  addedOpenP99: Spread | undefined;
  /** The same over quiet rounds only. */
  addedOpenP99Quiet?: Spread;
  dashboard?: DashboardResult;
  breaker?: BreakerResult;
  connections?: ConnectionsResult;
  /** Error message of each scenario that failed, by scenario name. */
  scenarioErrors?: Record<string, string>;
}

/** 200 MB in SI units (10^6 bytes), the stricter reading. */
const RSS_LIMIT_BYTES = 200e6;

export function checkTargets(inputs: TargetInputs): TargetCheck[] {
  const checks = measuredChecks(inputs);
  // A scenario that failed fails its target too, with the error in place of a figure.
  const scenarioOfTarget: [string, RegExp][] = [['dashboard', /^dashboard/], ['breaker', /^open-breaker/], ['connections', /keep-alive connections/]];
  for (const check of checks) {
    for (const [scenario, pattern] of scenarioOfTarget) {
      const error = inputs.scenarioErrors?.[scenario];
      if (error && pattern.test(check.target)) Object.assign(check, { measured: `failed: ${error}`, met: false });
    }
  }
  return checks;
}

function measuredChecks({ summaries, ratios, addedOpenP99, addedOpenP99Quiet, dashboard, breaker, connections }: TargetInputs): TargetCheck[] {
  const gateway = summaries.gateway?.metrics;
  const fastify = summaries['fastify-proxy']?.metrics;
  const vsFastify = ratios.gateway?.['fastify-proxy'];
  const vsNginx = ratios.gateway?.nginx;
  const checks: TargetCheck[] = [];

  checks.push({
    target: 'gateway req/s ≥ @fastify/http-proxy req/s',
    measured:
      gateway && fastify && vsFastify
        ? `${formatNumber(gateway.requestsPerSecond.median)} vs ${formatNumber(fastify.requestsPerSecond.median)} req/s (median of per-round ratios ${vsFastify.requestsPerSecond.median.toFixed(3)}×)`
        : 'not measured',
    met: vsFastify ? vsFastify.requestsPerSecond.median >= 1 : undefined,
  });
  checks.push({
    target: 'gateway CPU/request ≤ @fastify/http-proxy CPU/request',
    measured:
      gateway && fastify && vsFastify
        ? `${formatNumber(gateway.cpuMicrosecondsPerRequest.median)} vs ${formatNumber(fastify.cpuMicrosecondsPerRequest.median)} µs (median of per-round ratios ${vsFastify.cpuMicrosecondsPerRequest.median.toFixed(3)}×)`
        : 'not measured',
    met: vsFastify ? vsFastify.cpuMicrosecondsPerRequest.median <= 1 : undefined,
  });
  checks.push({
    target: 'gateway CPU/request ≤ 4× nginx',
    measured: vsNginx ? `${vsNginx.cpuMicrosecondsPerRequest.median.toFixed(2)}× nginx (median of per-round ratios)` : 'not measured',
    met: vsNginx ? vsNginx.cpuMicrosecondsPerRequest.median <= 4 : undefined,
  });
  checks.push({
    target: 'gateway p99 added to the direct call at the open-loop rate < 2 ms',
    measured: addedOpenP99
      ? `${formatNumber(addedOpenP99.median)} ms (rounds ${formatNumber(addedOpenP99.min)} to ${formatNumber(addedOpenP99.max)}); ` +
        `quiet rounds only: ${addedOpenP99Quiet ? `${formatNumber(addedOpenP99Quiet.median)} ms over ${addedOpenP99Quiet.samples}` : 'none'}`
      : 'not measured',
    met: addedOpenP99 ? addedOpenP99.median < 2 : undefined,
  });
  checks.push({
    target: 'dashboard p50 ≤ 1.1× its slowest part',
    measured: dashboard
      ? `${formatNumber(dashboard.dashboard.p50Ms)} ms vs ${formatNumber(dashboard.slowestPart.p50Ms)} ms (${dashboard.ratioP50.toFixed(3)}×; p99 ${dashboard.ratioP99.toFixed(3)}×)`
      : 'not measured',
    met: dashboard ? dashboard.ratioP50 <= 1.1 && dashboard.dashboard.non2xx + dashboard.dashboard.errors === 0 : undefined,
  });
  const rejections = breaker?.sequentialRejections;
  const allRejected = (result: typeof rejections): boolean =>
    result !== undefined && result.statusCounts['503'] === result.responses && result.errors === 0;
  checks.push({
    target: 'open-breaker rejection p99 < 1 ms',
    measured: breaker
      ? (breaker.gatewayTime
          ? `gateway time: p50 ${formatNumber(breaker.gatewayTime.p50Ms)} ms, p99 ${formatNumber(breaker.gatewayTime.p99Ms)} ms over ${breaker.gatewayTime.requests} rejections; `
          : '') +
        `client, one at a time: p50 ${formatNumber(breaker.sequentialRejections.p50Ms)} ms, p99 ${formatNumber(breaker.sequentialRejections.p99Ms)} ms ` +
        `(direct 200s through the same client: p99 ${formatNumber(breaker.sequentialDirect.p99Ms)} ms); ` +
        `at ${formatNumber(breaker.rejections.requestsPerSecond + breaker.rejections.non2xx / breaker.rejections.durationSeconds)} req/s: p99 ${formatNumber(breaker.rejections.p99Ms)} ms`
      : 'not measured',
    // The gateway's own time is the cost of a rejection. A client's p99 on a shared machine is mostly its own jitter, as the direct floor shows.
    met: breaker
      ? (breaker.gatewayTime?.p99Ms ?? breaker.sequentialRejections.p99Ms) < 1 && allRejected(breaker.sequentialRejections) && allRejected(breaker.rejections)
      : undefined,
  });
  if (connections) {
    const failed = connections.firstPass.non2xx + connections.firstPass.errors + connections.secondPass.non2xx + connections.secondPass.errors;
    checks.push({
      target: `${connections.requested.toLocaleString('en-US')} keep-alive connections, no error, peak RSS < 200 MB`,
      measured: `${connections.firstPass.open} held, ${failed} failed requests, peak RSS ${(connections.peakRssBytes / 1e6).toFixed(1)} MB`,
      met: failed === 0 && connections.secondPass.open === connections.requested && connections.peakRssBytes < RSS_LIMIT_BYTES,
    });
  } else {
    checks.push({ target: '10,000 keep-alive connections, no error, peak RSS < 200 MB', measured: 'not measured', met: undefined });
  }
  return checks;
}
