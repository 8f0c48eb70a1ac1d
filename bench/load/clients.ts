/**
 * Runs the load clients as child processes pinned to the load core: wrk (or
 * autocannon when wrk is missing) for closed-loop load, and the open-loop
 * client for latency at a fixed rate.
 */
import { fileURLToPath } from 'node:url';
import { findProgram, nodeScript, type ProcessSupervisor } from '../processes.ts';
import { parseLastJsonLine, type LoadResult, type LoadSettings, type OpenLoopResult } from './result.ts';

/** Returns the absolute path of a file of the benchmark, given relative to this module. */
const benchPath = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export type ClosedLoopTool = 'wrk' | 'autocannon';

export function defaultClosedLoopTool(): ClosedLoopTool {
  return findProgram('wrk') ? 'wrk' : 'autocannon';
}

interface WrkSummary {
  requests: number;
  durationMicroseconds: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyMicroseconds: { p50: number; p90: number; p99: number; max: number; mean: number };
}

export class LoadClients {
  readonly #supervisor: ProcessSupervisor;
  readonly #cpu: number | null;
  readonly closedLoopTool: ClosedLoopTool;

  constructor(supervisor: ProcessSupervisor, cpu: number | null, closedLoopTool: ClosedLoopTool) {
    this.#supervisor = supervisor;
    this.#cpu = cpu;
    this.closedLoopTool = closedLoopTool;
  }

  /** Keeps `connections` requests in flight for the duration and returns throughput and latency. */
  async closedLoop(settings: LoadSettings): Promise<LoadResult> {
    return this.closedLoopTool === 'wrk' ? this.#wrk(settings) : this.#nodeClient('autocannon', benchPath('./autocannon-child.ts'), settings);
  }

  /** Sends `settings.rate` requests per second on a fixed schedule and returns the latency. */
  async openLoop(settings: LoadSettings): Promise<OpenLoopResult> {
    return this.#nodeClient('open-loop client', benchPath('./open-loop.ts'), settings);
  }

  /** Sends `settings.requests` requests one after another on one connection and returns their latency. */
  async sequential(settings: LoadSettings): Promise<OpenLoopResult> {
    return this.#nodeClient('sequential client', benchPath('./sequential.ts'), settings);
  }

  async #wrk(settings: LoadSettings): Promise<LoadResult> {
    const timeoutSeconds = Math.ceil((settings.timeoutMs ?? 10_000) / 1000);
    const args = ['-t1', `-c${settings.connections}`, `-d${settings.durationSeconds}s`, `--timeout`, `${timeoutSeconds}s`];
    for (const [name, value] of Object.entries(settings.headers)) args.push('-H', `${name}: ${value}`);
    args.push('-s', benchPath('./wrk-report.lua'), settings.url);
    const wrk = this.#supervisor.spawn({ name: 'wrk', command: 'wrk', args, cpu: this.#cpu, stdout: 'pipe' });
    const status = await wrk.waitForExit((settings.durationSeconds + timeoutSeconds + 15) * 1000);
    if (status.code !== 0) throw new Error(`wrk exited with code ${status.code}: ${wrk.stderrTail}`);
    const summary = parseLastJsonLine<WrkSummary>(wrk.stdout, 'wrk');
    const durationSeconds = summary.durationMicroseconds / 1e6;
    const { connect, read, write, status: badStatus, timeout } = summary.errors;
    return {
      tool: 'wrk',
      responses: summary.requests,
      non2xx: badStatus,
      errors: connect + read + write + timeout,
      durationSeconds,
      requestsPerSecond: (summary.requests - badStatus) / durationSeconds,
      p50Ms: summary.latencyMicroseconds.p50 / 1000,
      p99Ms: summary.latencyMicroseconds.p99 / 1000,
      maxMs: summary.latencyMicroseconds.max / 1000,
    };
  }

  async #nodeClient<T>(name: string, script: string, settings: LoadSettings): Promise<T> {
    const { command, args } = nodeScript(script);
    const child = this.#supervisor.spawn({
      name,
      command,
      args,
      cpu: this.#cpu,
      stdout: 'pipe',
      env: { ...process.env, BENCH_LOAD: JSON.stringify(settings) },
      openFilesLimit: 65_536,
    });
    const limitMs = (settings.durationSeconds + (settings.timeoutMs ?? 10_000) / 1000 + 30) * 1000;
    const status = await child.waitForExit(limitMs);
    if (status.code !== 0) throw new Error(`${name} exited with code ${status.code}: ${child.stderrTail}`);
    return parseLastJsonLine<T>(child.stdout, name);
  }
}
