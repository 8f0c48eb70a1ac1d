/**
 * Memory under many idle connections. A client process opens N keep-alive
 * connections to a fresh gateway, sends one authenticated request on each,
 * and keeps them open while the gateway's resident memory is sampled. A
 * second request on every connection then shows that they all still work.
 */
import { fileURLToPath } from 'node:url';
import { memoryField } from '../cpu-accounting.ts';
import type { HoldSettings, PassResult } from '../load/hold-connections.ts';
import { nodeScript } from '../processes.ts';
import { PROXIED_PATH, startUpstream } from '../systems.ts';
import { FETCH_TIMEOUT_MS, startScenarioGateway, type ScenarioContext } from './context.ts';

const HOLD_SCRIPT = fileURLToPath(new URL('../load/hold-connections.ts', import.meta.url));
const SAMPLE_INTERVAL_MS = 100;
const HOLD_MS = 3000;

export interface ConnectionsResult {
  requested: number;
  /** Resident memory of the gateway after start-up and 200 requests, before the connections. */
  baselineRssBytes: number;
  /** Highest VmRSS sampled every 100 ms while the connections were opened and held. */
  sampledPeakRssBytes: number;
  /** The kernel's high-water mark of resident memory (VmHWM) over the gateway's life. */
  peakRssBytes: number;
  firstPass: PassResult;
  secondPass: PassResult;
}

type HoldMessage = ({ type: 'held' } | { type: 'second' }) & PassResult;

export async function runConnections(context: ScenarioContext): Promise<ConnectionsResult> {
  const { supervisor, options, headers, log } = context;
  const upstream = await startUpstream(supervisor, options.loadCore, {}, 'upstream-connections');
  const gateway = await startScenarioGateway(context, {
    name: 'gateway-connections',
    chatServiceUrl: upstream.origin,
    authServiceUrl: upstream.origin,
  });
  const gatewayProcess = gateway.server!.process;
  let sampler: NodeJS.Timeout | undefined;
  try {
    for (let index = 0; index < 200; index += 1) {
      const response = await fetch(gateway.url, { headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      await response.arrayBuffer();
    }
    const baselineRssBytes = memoryField(gatewayProcess.pid, 'VmRSS') ?? Number.NaN;

    let sampledPeakRssBytes = 0;
    sampler = setInterval(() => {
      sampledPeakRssBytes = Math.max(sampledPeakRssBytes, memoryField(gatewayProcess.pid, 'VmRSS') ?? 0);
    }, SAMPLE_INTERVAL_MS);

    log(`connections: opening ${options.holdConnections} keep-alive connections to the gateway`);
    const settings: HoldSettings = {
      port: gateway.server!.port,
      path: PROXIED_PATH,
      headers,
      connections: options.holdConnections,
      // Requests in flight stay below the gateway's bulkhead (UPSTREAM_CONNECTIONS, default 128, plus a queue of 32),
      // which answers 503 past it: this test is about idle connections, not about concurrent calls.
      batchSize: 100,
      timeoutMs: 30_000,
    };
    const { command, args } = nodeScript(HOLD_SCRIPT);
    const holder = supervisor.spawn({
      name: 'connection holder',
      command,
      args,
      cpu: options.loadCore,
      ipc: true,
      env: { ...process.env, BENCH_HOLD: JSON.stringify(settings) },
      openFilesLimit: 65_536,
    });
    const firstPass = await holder.waitForMessage((message) => ((message as HoldMessage).type === 'held' ? (message as HoldMessage) : undefined), 180_000);
    log(`connections: ${firstPass.open} open, ${firstPass.ok} ok, ${firstPass.non2xx} non-2xx, ${firstPass.errors} errors; holding ${HOLD_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    holder.child.send({ type: 'second-pass' });
    const secondPass = await holder.waitForMessage((message) => ((message as HoldMessage).type === 'second' ? (message as HoldMessage) : undefined), 180_000);
    clearInterval(sampler);
    const peakRssBytes = memoryField(gatewayProcess.pid, 'VmHWM') ?? Number.NaN;
    holder.child.send({ type: 'close' });
    await holder.waitForExit(10_000);
    return { requested: options.holdConnections, baselineRssBytes, sampledPeakRssBytes, peakRssBytes, firstPass, secondPass };
  } finally {
    clearInterval(sampler);
    await Promise.all([gatewayProcess.stop(), upstream.process.stop()]);
  }
}
