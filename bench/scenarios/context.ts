/** Scenario context passed by the runner, and the helper that starts a gateway for one scenario. */
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { gatewayEnv } from '../gateway-env.ts';
import type { LoadClients } from '../load/clients.ts';
import type { BenchOptions } from '../options.ts';
import type { ProcessSupervisor } from '../processes.ts';
import { startGateway, type RunningSystem } from '../systems.ts';

/** Time limit of each single request the scenarios send with fetch, in milliseconds. */
export const FETCH_TIMEOUT_MS = 15_000;

export interface ScenarioContext {
  supervisor: ProcessSupervisor;
  clients: LoadClients;
  options: BenchOptions;
  /** Headers of every benchmark request: the bearer access token. */
  headers: Record<string, string>;
  jwtSecret: string;
  /** Temporary folder of this run, removed at the end. */
  directory: string;
  log: (message: string) => void;
}

export interface ScenarioGatewayOptions {
  name: string;
  chatServiceUrl: string;
  authServiceUrl: string;
  extraEnv?: Record<string, string>;
  nodeFlags?: string[];
}

/** Returns the file that startScenarioGateway sends the gateway's stdout and stderr to. */
export function scenarioLogPath(context: ScenarioContext, name: string): string {
  return join(context.directory, `${name}.log`);
}

/** Starts a gateway pinned to the system-under-test core, logging to a file in the run's folder. */
export function startScenarioGateway(context: ScenarioContext, options: ScenarioGatewayOptions): Promise<RunningSystem> {
  const dataDirectory = join(context.directory, `${options.name}-data`);
  mkdirSync(dataDirectory, { recursive: true });
  const logFd = openSync(scenarioLogPath(context, options.name), 'a');
  return startGateway(context.supervisor, {
    name: options.name,
    cpu: context.options.sutCore,
    logFd,
    nodeFlags: options.nodeFlags,
    env: gatewayEnv({
      jwtSecret: context.jwtSecret,
      dataDirectory,
      chatServiceUrl: options.chatServiceUrl,
      authServiceUrl: options.authServiceUrl,
      extra: options.extraEnv,
    }),
  });
}
