/**
 * The systems compared, and how each one starts: the upstream alone
 * (called directly), nginx, @fastify/http-proxy, http-proxy-middleware on
 * Express, and the gateway. Every proxy maps GET /api/chat/history to the
 * upstream's GET /mad-scientist/history.
 */
import { createServer, connect } from 'node:net';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEntries, repositoryRoot } from '../scripts/build.mjs';
import { findNginx, nginxArguments, writeNginxConfig } from './nginx.ts';
import { nodeScript, type ManagedProcess, type ProcessSupervisor } from './processes.ts';
import { isReadyMessage } from './servers/lifecycle.ts';

export const SYSTEM_IDS = ['direct', 'nginx', 'fastify-proxy', 'express-proxy', 'gateway'] as const;
export type SystemId = (typeof SYSTEM_IDS)[number];

export const SYSTEM_LABELS: Record<SystemId, string> = {
  direct: 'upstream, direct',
  nginx: 'nginx (1 worker)',
  'fastify-proxy': '@fastify/http-proxy',
  'express-proxy': 'http-proxy-middleware + Express',
  gateway: 'gateway (full pipeline)',
};

export const PROXIED_PATH = '/api/chat/history';
export const UPSTREAM_PATH = '/mad-scientist/history';

/** Returns the absolute path of a file of the benchmark, given relative to this module. */
const benchPath = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** Folder of the compiled servers, below the repository root (ignored by git). */
const COMPILED_FOLDER = '.bench-build';
const SERVERS = ['upstream', 'fastify-proxy', 'express-proxy', 'gateway'] as const;

/** Returns the compiled JavaScript of one of the benchmark's servers; compileServers must have run. */
function compiledServer(name: (typeof SERVERS)[number]): string {
  return join(repositoryRoot, COMPILED_FOLDER, 'servers', `${name}.js`);
}

/**
 * Compiles the Node servers with esbuild, as `npm run build` compiles the
 * services for the production images, so that every Node system runs as
 * plain JavaScript with no TypeScript loader in its process.
 */
export async function compileServers(): Promise<void> {
  const entries = Object.fromEntries(SERVERS.map((name) => [`servers/${name}`, relative(repositoryRoot, benchPath(`./servers/${name}.ts`))]));
  await buildEntries(entries, COMPILED_FOLDER, { withMigrations: false });
}
const READY_TIMEOUT_MS = 20_000;

export interface RunningServer {
  process: ManagedProcess;
  port: number;
  origin: string;
}

export interface RunningSystem {
  id: SystemId;
  label: string;
  /** The URL the load clients request. */
  url: string;
  /** Root pids whose process trees count as the system's CPU time; empty for the direct call. */
  cpuRoots: number[];
  server?: RunningServer;
}

export interface UpstreamRoute {
  delayMs: number;
  body: unknown;
}

/** Starts a TypeScript server script pinned to `cpu` and waits for its ready message. */
export async function startNodeServer(
  supervisor: ProcessSupervisor,
  name: string,
  script: string,
  options: {
    cpu: number | null;
    env?: NodeJS.ProcessEnv;
    /** Uses `env` alone instead of adding it to this process's environment. */
    replaceEnv?: boolean;
    stdout?: number | 'ignore';
    nodeFlags?: string[];
    openFilesLimit?: number;
  },
): Promise<RunningServer> {
  const { command, args } = nodeScript(script, options.nodeFlags);
  const child = supervisor.spawn({
    name,
    command,
    args,
    cpu: options.cpu,
    env: options.replaceEnv ? options.env : { ...process.env, ...options.env },
    stdout: options.stdout ?? 'ignore',
    ipc: true,
    openFilesLimit: options.openFilesLimit,
  });
  const ready = await child.waitForMessage(isReadyMessage, READY_TIMEOUT_MS);
  return { process: child, port: ready.port, origin: `http://127.0.0.1:${ready.port}` };
}

export function startUpstream(
  supervisor: ProcessSupervisor,
  cpu: number | null,
  routes: Record<string, UpstreamRoute> = {},
  name = 'upstream',
): Promise<RunningServer> {
  return startNodeServer(supervisor, name, compiledServer('upstream'), {
    cpu,
    env: { BENCH_UPSTREAM_ROUTES: JSON.stringify(routes) },
  });
}

export async function startFastifyProxy(supervisor: ProcessSupervisor, cpu: number, upstream: RunningServer): Promise<RunningSystem> {
  const server = await startNodeServer(supervisor, 'fastify-proxy', compiledServer('fastify-proxy'), {
    cpu,
    env: { BENCH_UPSTREAM_URL: upstream.origin },
  });
  return proxySystem('fastify-proxy', server);
}

export async function startExpressProxy(supervisor: ProcessSupervisor, cpu: number, upstream: RunningServer): Promise<RunningSystem> {
  const server = await startNodeServer(supervisor, 'express-proxy', compiledServer('express-proxy'), {
    cpu,
    env: { BENCH_UPSTREAM_URL: upstream.origin },
  });
  return proxySystem('express-proxy', server);
}

/** Starts nginx, or returns undefined when /usr/sbin/nginx is missing. */
export async function startNginx(
  supervisor: ProcessSupervisor,
  cpu: number,
  upstream: RunningServer,
  directory: string,
): Promise<RunningSystem | undefined> {
  const nginx = findNginx();
  if (!nginx) return undefined;
  const port = await freePort();
  const config = writeNginxConfig({ directory, listenPort: port, upstreamPort: upstream.port });
  const child = supervisor.spawn({ name: 'nginx', command: nginx, args: nginxArguments(directory, config), cpu });
  await waitForPort(port, READY_TIMEOUT_MS, child);
  return proxySystem('nginx', { process: child, port, origin: `http://127.0.0.1:${port}` });
}

export interface GatewayOptions {
  cpu: number | null;
  /** The whole environment of the gateway, from gatewayEnv(). */
  env: NodeJS.ProcessEnv;
  /** File descriptor that receives the gateway's stdout, where its access log goes. */
  logFd: number | 'ignore';
  nodeFlags?: string[];
  name?: string;
}

export async function startGateway(supervisor: ProcessSupervisor, options: GatewayOptions): Promise<RunningSystem> {
  const server = await startNodeServer(supervisor, options.name ?? 'gateway', compiledServer('gateway'), {
    cpu: options.cpu,
    env: options.env,
    replaceEnv: true,
    stdout: options.logFd,
    nodeFlags: options.nodeFlags,
    openFilesLimit: 65_536,
  });
  return proxySystem('gateway', server);
}

export function directSystem(upstream: RunningServer): RunningSystem {
  return { id: 'direct', label: SYSTEM_LABELS.direct, url: `${upstream.origin}${UPSTREAM_PATH}`, cpuRoots: [], server: upstream };
}

function proxySystem(id: SystemId, server: RunningServer): RunningSystem {
  return { id, label: SYSTEM_LABELS[id], url: `${server.origin}${PROXIED_PATH}`, cpuRoots: [server.process.pid], server };
}

/** Asks the kernel for a free loopback port, for servers that cannot listen on port 0 and report it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, owner: ManagedProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!owner.running) throw new Error(`${owner.name} exited before it listened on port ${port}: ${owner.stderrTail}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${owner.name} did not listen on port ${port} within ${timeoutMs} ms: ${owner.stderrTail}`);
}
