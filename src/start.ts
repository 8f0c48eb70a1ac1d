/**
 * Starts the whole stack for development: the auth service, the chat service
 * and the gateway, each as its own child process, the way they run in
 * production. Progress goes to stderr in plain words; the services' JSON log
 * lines go to stdout.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, readPort, type Env } from './common/config.ts';
import { dataDirectory } from './common/data-dir.ts';
import { readJwtSettings } from './common/jwt.ts';
import { readGatewayConfig } from './gateway/config.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** How long one service may take to respond on /health at start; a first PGlite start takes a few seconds. */
const READY_TIMEOUT_MS = 120_000;
/** Waits before restarting a crashed service: doubling from 1 s up to 30 s, back to 1 s once it is healthy. */
const RESTART_DELAYS_MS = [1000, 2000, 4000, 8000, 16_000, 30_000];

interface ServiceSpec {
  name: string;
  entry: string;
  port: number;
  env: Env;
  /** Said when the service starts, such as the first start of an embedded database. */
  note?: () => string | undefined;
}

/** Formats `path` relative to the working folder when it lies inside it, else as absolute. */
function shown(path: string): string {
  const relativePath = relative(process.cwd(), path);
  return relativePath === '' ? '.' : relativePath.startsWith('..') ? path : relativePath;
}

function say(message: string): void {
  process.stderr.write(`[start] ${message}\n`);
}

function buildWebClientIfMissing(): void {
  const config = join(root, 'web', 'vite.config.ts');
  const index = join(root, 'web', 'dist', 'index.html');
  if (!existsSync(config) || existsSync(index)) return;
  say('building the web client (first start only)…');
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', config, '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) say('the web client build failed; the API still starts, but / will not serve the page');
}

async function waitUntilHealthy(spec: ServiceSpec, child: ChildProcess): Promise<void> {
  const started = Date.now();
  const url = `http://127.0.0.1:${spec.port}/health`;
  while (Date.now() - started < READY_TIMEOUT_MS) {
    if (child.exitCode !== null) throw new Error(`${spec.name} exited with code ${child.exitCode} during start`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      // The gateway returns 503 while its upstreams are still starting; any response means it listens.
      if (response.ok || spec.name === 'gateway') {
        say(`${spec.name} is ready on port ${spec.port} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`${spec.name} did not respond on ${url} within ${READY_TIMEOUT_MS / 1000} s`);
}

function launch(spec: ServiceSpec): ChildProcess {
  const note = spec.note?.();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, spec.entry)], {
    cwd: root,
    env: { ...process.env, ...spec.env, PORT: String(spec.port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  say(`starting ${spec.name} on port ${spec.port}, process ${child.pid}${note ? ` (${note})` : ''}…`);
  return child;
}

async function main(): Promise<void> {
  const env: Env = process.env;
  const authPort = readPort(env, 'AUTH_PORT', 5000);
  const chatPort = readPort(env, 'CHAT_PORT', 8000);
  const gatewayPort = readPort(env, 'PORT', 4000);
  const directory = dataDirectory(env);

  // Resolve the signing secret once, so the three processes share it and only one warning is printed.
  const shared: Env = { DATA_DIR: directory };
  const jwt = readJwtSettings(env, directory);
  const jwtMode = jwt.mode;
  if (jwtMode === 'hs256' && !env.JWT_SECRET_KEY?.trim() && jwt.secret) {
    // readJwtSettings has already created or read the development secret in the data folder.
    shared.JWT_SECRET_KEY = new TextDecoder().decode(jwt.secret);
    say(`JWT_SECRET_KEY is not set: using a generated development secret kept in ${shown(join(directory, 'secrets'))}`);
  }
  if (jwtMode === 'eddsa') say('JWT_MODE=eddsa: the auth service signs with Ed25519 keys and publishes them at /.well-known/jwks.json');

  const embedded = !env.DATABASE_URL?.trim();
  const dbNote = (name: string) => () =>
    embedded && !existsSync(join(directory, `${name}-db`)) ? `first start: creating the embedded database in ${shown(join(directory, `${name}-db`))}` : undefined;

  buildWebClientIfMissing();

  const services: ServiceSpec[] = [
    { name: 'auth service', entry: 'src/auth/main.ts', port: authPort, env: shared, note: dbNote('auth') },
    // The chat service fetches the auth service's public keys when JWT_MODE=eddsa.
    { name: 'chat service', entry: 'src/chat/main.ts', port: chatPort, env: { ...shared, AUTH_SERVICE_URL: env.AUTH_SERVICE_URL ?? `http://127.0.0.1:${authPort}` }, note: dbNote('chat') },
  ];
  const gateway: ServiceSpec = {
    name: 'gateway',
    entry: 'src/gateway/main.ts',
    port: gatewayPort,
    env: {
      ...shared,
      AUTH_SERVICE_URL: env.AUTH_SERVICE_URL ?? `http://127.0.0.1:${authPort}`,
      CHAT_SERVICE_URL: env.CHAT_SERVICE_URL ?? `http://127.0.0.1:${chatPort}`,
    },
  };

  // Check the gateway's settings before anything starts, so a typo is reported as such and not as a crash.
  readGatewayConfig({ ...env, ...gateway.env, PORT: String(gatewayPort) });

  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    const deadline = setTimeout(() => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      process.exit(code);
    }, 10_000);
    deadline.unref();
    Promise.all(children.map((child) => (child.exitCode === null ? new Promise((done) => child.once('exit', done)) : null))).then(() =>
      process.exit(code),
    );
  };
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));

  // A service that crashes after it was ready is restarted after a delay that doubles up to a cap,
  // as a process supervisor or Compose's restart policy would do, while the rest keeps serving.
  const ready = new Set<ServiceSpec>();
  const restarts = new Map<ServiceSpec, number>();
  const watch = (spec: ServiceSpec, child: ChildProcess) => {
    children.push(child);
    child.once('exit', (code, signal) => {
      if (stopping) return;
      const reason = signal ?? `exit code ${code}`;
      if (!ready.has(spec)) {
        say(`${spec.name} stopped during start (${reason}); stopping the stack`);
        stopAll(1);
        return;
      }
      const attempt = restarts.get(spec) ?? 0;
      const delayMs = RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)];
      restarts.set(spec, attempt + 1);
      say(`${spec.name} stopped unexpectedly (${reason}); the others keep running, and it restarts in ${delayMs / 1000} s`);
      setTimeout(() => {
        if (stopping) return;
        const next = launch(spec);
        watch(spec, next);
        waitUntilHealthy(spec, next).then(
          () => restarts.set(spec, 0),
          (error: Error) => say(`${spec.name} did not come back: ${error.message}`),
        );
      }, delayMs).unref();
    });
  };

  try {
    const first = services.map((spec) => {
      const child = launch(spec);
      watch(spec, child);
      return waitUntilHealthy(spec, child);
    });
    await Promise.all(first);
    for (const spec of services) ready.add(spec);
    const gatewayChild = launch(gateway);
    watch(gateway, gatewayChild);
    await waitUntilHealthy(gateway, gatewayChild);
    ready.add(gateway);
  } catch (error) {
    say(`start failed: ${(error as Error).message}`);
    stopAll(1);
    return;
  }
  say(`Mad Scientist is running: open http://localhost:${gatewayPort} (API under /api, status at /health). Press Ctrl+C to stop.`);
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
});
