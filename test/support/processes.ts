/**
 * Starts the services as real child processes, the way `npm start` does, for
 * end-to-end tests. Ports are free ports chosen by the operating system.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from '../../src/common/config.ts';

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Asks the operating system for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface ServiceProcess {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  /** Everything the process wrote, for assertions on its logs. */
  output(): string;
  stop(): Promise<void>;
}

/** Polls `url` until it responds with a status accepted by `ready`, or throws after `timeoutMs`. */
export async function waitFor(url: string, ready: (status: number) => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (ready(response.status)) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}

/**
 * Spawns `entry` (a path below the repository root) with `env` and waits
 * until its /health responds. A `.ts` entry runs through tsx, a compiled
 * `.js` one with plain node.
 */
export async function startServiceProcess(name: string, entry: string, env: Env, port?: number): Promise<ServiceProcess> {
  const chosen = port ?? (await freePort());
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, join(repositoryRoot, entry)], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', ...env, PORT: String(chosen) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${chosen}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} during start:\n${output}`))),
  );
  // The exit promise outlives the start; mark it handled so a later stop is not an unhandled rejection.
  exited.catch(() => {});
  await Promise.race([waitFor(`${url}/health`, () => true), exited]);
  return {
    name,
    port: chosen,
    url,
    child,
    output: () => output,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
