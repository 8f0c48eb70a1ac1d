/**
 * Child processes of the benchmark. Each child runs in its own process group
 * (spawned detached), pinned to one core through `taskset` and optionally
 * given a higher open-files limit through `prlimit`. Both tools exec the
 * target, so the spawned pid is the target's pid and the group id.
 *
 * The supervisor kills every group it started when the benchmark ends,
 * fails or is interrupted.
 */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface ProcessOptions {
  name: string;
  command: string;
  args: string[];
  /** Core for `taskset -c`; null leaves the process unpinned. */
  cpu: number | null;
  env?: NodeJS.ProcessEnv;
  /** File descriptor or mode for stdout; stderr follows it unless set. */
  stdout?: number | 'ignore' | 'pipe' | 'inherit';
  stderr?: number | 'ignore' | 'pipe' | 'inherit';
  /** Opens a Node IPC channel, for children that report readiness with process.send. */
  ipc?: boolean;
  /**
   * RLIMIT_NOFILE for the child, set through `prlimit`. It is capped at this
   * process's hard limit, because raising the hard limit needs CAP_SYS_RESOURCE.
   */
  openFilesLimit?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One child process group: its pid, exit, IPC messages and stdout. */
export class ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  #exitStatus: ExitStatus | undefined;
  #stdout = '';
  #stderr = '';

  constructor(name: string, child: ChildProcess) {
    if (child.pid === undefined) throw new Error(`${name}: the process did not start`);
    this.name = name;
    this.child = child;
    this.pid = child.pid;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.#stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr = (this.#stderr + chunk).slice(-8000)));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exitStatus = { code, signal };
        resolve(this.#exitStatus);
      });
    });
  }

  get running(): boolean {
    return this.#exitStatus === undefined;
  }

  get stdout(): string {
    return this.#stdout;
  }

  /** The last 8,000 characters of stderr, for error messages. */
  get stderrTail(): string {
    return this.#stderr;
  }

  /** Waits for the first IPC message that `accept` returns a value for. */
  waitForMessage<T>(accept: (message: unknown) => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`${this.name}: no ready message within ${timeoutMs} ms. stderr: ${this.#stderr}`)), timeoutMs);
      const onMessage = (message: unknown): void => {
        const value = accept(message);
        if (value !== undefined) finish(undefined, value);
      };
      const onExit = (code: number | null, signal: string | null): void => {
        finish(new Error(`${this.name}: exited (code ${code}, signal ${signal}) before it was ready. stderr: ${this.#stderr}`));
      };
      const finish = (error: Error | undefined, value?: T): void => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        if (error) reject(error);
        else resolve(value as T);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }

  /** Resolves with the exit status, or kills the group and rejects after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ExitStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.signalGroup('SIGKILL');
        reject(new Error(`${this.name}: still running after ${timeoutMs} ms; killed. stderr: ${this.#stderr}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  signalGroup(signal: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      process.kill(-this.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /** Sends SIGTERM to the group, then SIGKILL when it has not exited within `graceMs`. */
  async stop(graceMs = 3000): Promise<ExitStatus> {
    if (!this.running) return this.#exitStatus as ExitStatus;
    this.signalGroup('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const escalate = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.signalGroup('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, escalate]);
    clearTimeout(timer);
    return this.exited;
  }
}

/** Starts child process groups and kills all of them on stop, exit, signal or crash. */
export class ProcessSupervisor {
  readonly #processes = new Set<ManagedProcess>();
  readonly #killOnExit = (): void => this.killAllNow();

  constructor() {
    process.on('exit', this.#killOnExit);
  }

  spawn(options: ProcessOptions): ManagedProcess {
    const { command, args } = wrapCommand(options);
    const stdout = options.stdout ?? 'ignore';
    const stdio: StdioOptions = ['ignore', stdout, options.stderr ?? 'pipe'];
    if (options.ipc) stdio.push('ipc');
    const child = spawn(command, args, { detached: true, stdio, env: options.env ?? process.env });
    const managed = new ManagedProcess(options.name, child);
    this.#processes.add(managed);
    managed.exited.then(() => this.#processes.delete(managed));
    return managed;
  }

  /** Stops every running group, politely first. */
  async stopAll(graceMs = 3000): Promise<void> {
    await Promise.all([...this.#processes].map((managed) => managed.stop(graceMs)));
  }

  /** Synchronous SIGKILL of every group, for the process 'exit' handler. */
  killAllNow(): void {
    for (const managed of this.#processes) managed.signalGroup('SIGKILL');
  }

  dispose(): void {
    process.off('exit', this.#killOnExit);
  }
}

function wrapCommand(options: ProcessOptions): { command: string; args: string[] } {
  let argv = [options.command, ...options.args];
  if (options.cpu !== null) argv = ['taskset', '-c', String(options.cpu), ...argv];
  if (options.openFilesLimit !== undefined) {
    const limit = Math.min(options.openFilesLimit, hardOpenFilesLimit());
    argv = ['prlimit', `--nofile=${limit}:${limit}`, ...argv];
  }
  return { command: argv[0], args: argv.slice(1) };
}

let cachedHardLimit: number | undefined;

/** Returns the hard RLIMIT_NOFILE of this process, which children cannot exceed without CAP_SYS_RESOURCE. */
export function hardOpenFilesLimit(): number {
  if (cachedHardLimit === undefined) {
    const result = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' });
    const text = result.stdout.trim();
    cachedHardLimit = text === 'unlimited' ? 1_048_576 : Number(text) || 1024;
  }
  return cachedHardLimit;
}

/** Returns the absolute path of a program on PATH, or undefined. */
export function findProgram(name: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = result.stdout.trim();
  return result.status === 0 && path && existsSync(path) ? path : undefined;
}

/** Returns the command that runs a script with the same Node: a `.ts` file through the tsx loader, a `.js` file as it is. */
export function nodeScript(script: string, nodeFlags: string[] = []): { command: string; args: string[] } {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return { command: process.execPath, args: [...nodeFlags, ...loader, script] };
}
