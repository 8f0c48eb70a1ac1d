/**
 * Gateway variants that isolate the cost of single pipeline stages: the
 * same closed-loop run against the gateway as configured, without the
 * access-log line, and with the token cache off (every request verifies the
 * JWT signature). The variants run in interleaved rounds like the main
 * comparison. Part of the --profile run.
 */
import { measureClosedLoop, type ClosedLoopMeasurement } from './throughput.ts';
import type { RunningServer, RunningSystem } from '../systems.ts';
import { startScenarioGateway, type ScenarioContext } from './context.ts';

export const GATEWAY_VARIANTS = [
  { id: 'as-configured', label: 'gateway as benchmarked (LOG_LEVEL=info, token cache on)', env: {} },
  { id: 'no-access-log', label: 'LOG_LEVEL=warn: no access-log line', env: { LOG_LEVEL: 'warn' } },
  { id: 'no-token-cache', label: 'TOKEN_CACHE_SIZE=0: JWT verified on every request', env: { TOKEN_CACHE_SIZE: '0' } },
] as const;

const VARIANT_ROUNDS = 2;

export interface VariantResult {
  id: string;
  label: string;
  rounds: ClosedLoopMeasurement[];
}

export async function runVariants(context: ScenarioContext, upstream: RunningServer): Promise<VariantResult[]> {
  const { clients, options, headers, log } = context;
  const started: { variant: (typeof GATEWAY_VARIANTS)[number]; system: RunningSystem }[] = [];
  try {
    for (const variant of GATEWAY_VARIANTS) {
      const system = await startScenarioGateway(context, {
        name: `gateway-${variant.id}`,
        chatServiceUrl: upstream.origin,
        authServiceUrl: upstream.origin,
        extraEnv: variant.env,
      });
      started.push({ variant, system });
      await clients.closedLoop({ url: system.url, headers, durationSeconds: Math.max(2, options.warmupSeconds), connections: options.connections });
    }
    const results: VariantResult[] = started.map(({ variant }) => ({ id: variant.id, label: variant.label, rounds: [] }));
    for (let round = 0; round < VARIANT_ROUNDS; round += 1) {
      for (const [index, { variant, system }] of started.entries()) {
        const measurement = await measureClosedLoop({ upstream, clients, options, headers }, system);
        results[index].rounds.push(measurement);
        log(
          `variant ${round + 1}/${VARIANT_ROUNDS} ${variant.id}: ${Math.round(measurement.closedLoop.requestsPerSecond)} req/s, ` +
            `CPU ${measurement.cpuMicrosecondsPerRequest.toFixed(1)} µs/req`,
        );
      }
    }
    return results;
  } finally {
    await Promise.all(started.map(({ system }) => system.server?.process.stop()));
  }
}
