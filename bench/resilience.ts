/**
 * Resilience benchmark: runs the real auth and chat services and the gateway
 * in this process, with a fault backend between the gateway and the chat
 * service, and reports
 *   1. the latency of requests while the chat circuit is open (fail fast),
 *   2. the time from the chat service's recovery to its circuit closing,
 *      with no user traffic and with light traffic,
 *   3. the dashboard's latency while the chat service hangs.
 * The gateway runs with its default resilience settings. Not a test: it
 * asserts nothing and prints figures. Run it with `npm run bench:resilience`.
 */
import { channel } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { Writable } from 'node:stream';
import { Pool } from 'undici';
import { startAuthService } from '../src/auth/server.ts';
import { startChatService } from '../src/chat/server.ts';
import { createLogger } from '../src/common/logger.ts';
import { createTestStorage } from '../src/common/test-support.ts';
import { startGateway, type RunningGateway } from '../src/gateway/server.ts';
import { everyCall, FaultBackend } from '../test/fault/fault-backend.ts';

const FAIL_FAST_REQUESTS = 5000;
const DASHBOARD_REQUESTS = 300;
const DASHBOARD_CONCURRENCY = 10;
const LIGHT_TRAFFIC_INTERVAL_MS = 50;
/** Upper bound of every wait in this script, so a regression cannot hang it. */
const WAIT_LIMIT_MS = 120_000;

/** The fields of Node's http.server diagnostics messages that this script reads. */
interface ServerMessage {
  request: IncomingMessage;
  server: { address(): { port: number } | string | null };
}

/**
 * Gateway-side time of each request, from its parsed headers to the end of
 * its response, read from Node's http.server diagnostics channels. Only the
 * server on `port` counts, since the services run in this process too.
 */
class ServerTimes {
  readonly #port: number;
  readonly #starts = new WeakMap<IncomingMessage, number>();
  #times: number[] = [];
  #recording = false;

  constructor(port: number) {
    this.#port = port;
    channel('http.server.request.start').subscribe((message) => {
      const { request, server } = message as ServerMessage;
      const address = server.address();
      if (this.#recording && typeof address === 'object' && address?.port === this.#port) this.#starts.set(request, performance.now());
    });
    channel('http.server.response.finish').subscribe((message) => {
      const started = this.#starts.get((message as ServerMessage).request);
      if (started !== undefined) this.#times.push(performance.now() - started);
    });
  }

  /** Returns the gateway times of the requests that start while `work` runs. */
  async during(work: () => Promise<void>): Promise<number[]> {
    this.#times = [];
    this.#recording = true;
    try {
      await work();
    } finally {
      this.#recording = false;
    }
    return this.#times;
  }
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const format = (value: number) => (value < 1 ? value.toFixed(3) : value.toFixed(1));
  return `n=${sorted.length} p50=${format(percentile(sorted, 0.5))} ms p95=${format(percentile(sorted, 0.95))} ms p99=${format(percentile(sorted, 0.99))} ms max=${format(sorted.at(-1) ?? Number.NaN)} ms`;
}

async function timedGet(client: Pool, path: string, token: string): Promise<{ status: number; ms: number; retryAfter: string | undefined }> {
  const started = performance.now();
  const response = await client.request({ method: 'GET', path, headers: { authorization: `Bearer ${token}` }, headersTimeout: 30_000, bodyTimeout: 30_000 });
  await response.body.dump();
  const retryAfter = response.headers['retry-after'];
  return { status: response.statusCode, ms: performance.now() - started, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined };
}

async function circuitState(client: Pool): Promise<string> {
  const response = await client.request({ method: 'GET', path: '/health', headersTimeout: 30_000 });
  const body = (await response.body.json()) as { services: { chat: { circuit: { state: string } } } };
  return body.services.chat.circuit.state;
}

/** Sends history requests until the chat circuit rejects one, and returns how many it took. */
async function tripCircuit(client: Pool, token: string): Promise<number> {
  const deadline = performance.now() + WAIT_LIMIT_MS;
  for (let sent = 1; performance.now() < deadline; sent += 1) {
    const response = await timedGet(client, '/api/chat/history', token);
    if (response.status === 503 && response.retryAfter !== undefined) return sent;
  }
  throw new Error('the chat circuit never opened');
}

/** Waits until the chat circuit is closed, optionally sending a history request every `trafficIntervalMs`; returns the elapsed milliseconds. */
async function timeToClose(client: Pool, token: string, trafficIntervalMs: number | null): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < WAIT_LIMIT_MS) {
    if (trafficIntervalMs !== null) await timedGet(client, '/api/chat/history', token);
    if ((await circuitState(client)) === 'closed') return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, trafficIntervalMs ?? 20));
  }
  throw new Error('the chat circuit never closed');
}

interface DashboardRun {
  times: number[];
  statuses: Record<number, number>;
  bodies: Array<{ meta?: { history_available?: boolean } }>;
  wallMs: number;
}

/** Requests the dashboard DASHBOARD_REQUESTS times from DASHBOARD_CONCURRENCY clients at once. */
async function runDashboards(client: Pool, token: string): Promise<DashboardRun> {
  const run: DashboardRun = { times: [], statuses: {}, bodies: [], wallMs: 0 };
  let sent = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: DASHBOARD_CONCURRENCY }, async () => {
      while (sent < DASHBOARD_REQUESTS) {
        sent += 1;
        const requestStarted = performance.now();
        const response = await client.request({ method: 'GET', path: '/api/dashboard', headers: { authorization: `Bearer ${token}` }, headersTimeout: 30_000 });
        run.bodies.push((await response.body.json()) as DashboardRun['bodies'][number]);
        run.times.push(performance.now() - requestStarted);
        run.statuses[response.statusCode] = (run.statuses[response.statusCode] ?? 0) + 1;
      }
    }),
  );
  run.wallMs = performance.now() - started;
  return run;
}

async function main(): Promise<void> {
  const storage = createTestStorage('bench-resilience');
  const auth = await startAuthService({ ...storage.env, PORT: '0' });
  const chat = await startChatService({ ...storage.env, PORT: '0' });
  const chatFaults = await FaultBackend.start(chat.url);
  // An info-level logger that discards its output, so the access-log work is part of the gateway time.
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  let gateway: RunningGateway | undefined;
  let client: Pool | undefined;
  try {
    gateway = await startGateway(
      { ...storage.env, PORT: '0', LOG_LEVEL: 'info', AUTH_SERVICE_URL: auth.url, CHAT_SERVICE_URL: chatFaults.url },
      { logger: createLogger({ service: 'gateway', level: 'info', destination: discard }) },
    );
    client = new Pool(gateway.url, { connections: DASHBOARD_CONCURRENCY });
    const serverTimes = new ServerTimes(gateway.port);

    const username = `bench_${Date.now().toString(36)}`;
    const registered = await client.request({
      method: 'POST',
      path: '/api/auth/register',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, email: `${username}@example.com`, password: 'correct horse battery' }),
    });
    const token = ((await registered.body.json()) as { access_token: string }).access_token;

    console.log(`# Resilience benchmark`);
    console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}`);
    console.log(`storage: ${storage.postgres ? 'PostgreSQL' : 'PGlite'}; client, gateway and services share one process\n`);

    // 1. Fail fast while the circuit is open.
    const healthyTimes: number[] = [];
    const healthyServer = await serverTimes.during(async () => {
      for (let index = 0; index < 500; index += 1) healthyTimes.push((await timedGet(client!, '/api/chat/history', token)).ms);
    });
    chatFaults.fault = everyCall({ kind: 'reply', status: 500 });
    const tripped = await tripCircuit(client, token);
    const reachedBefore = chatFaults.calls.length;
    const rejectedTimes: number[] = [];
    let notRejected = 0;
    const rejectedServer = await serverTimes.during(async () => {
      for (let index = 0; index < FAIL_FAST_REQUESTS; index += 1) {
        const response = await timedGet(client!, '/api/chat/history', token);
        if (response.status !== 503) notRejected += 1;
        rejectedTimes.push(response.ms);
      }
    });
    console.log('## 1. Fail fast while the chat circuit is open');
    console.log(`circuit opened after ${tripped} requests answered 500`);
    console.log(`healthy GET /api/chat/history, client round trip: ${summary(healthyTimes)}`);
    console.log(`healthy GET /api/chat/history, gateway time:      ${summary(healthyServer)}`);
    console.log(`open circuit, client round trip:                  ${summary(rejectedTimes)}`);
    console.log(`open circuit, gateway time:                       ${summary(rejectedServer)}`);
    console.log(`requests that reached the chat service while open: ${chatFaults.calls.length - reachedBefore}; answers other than 503: ${notRejected}\n`);

    // 2. Time from recovery to a closed circuit.
    console.log('## 2. From chat recovery to a closed circuit (defaults: BREAKER_OPEN_MS=5000, BREAKER_HALF_OPEN_PROBES=3, HEALTH_CHECK_INTERVAL_MS=5000)');
    for (const [label, interval] of [
      ['no user traffic, health checks only', null],
      [`one request every ${LIGHT_TRAFFIC_INTERVAL_MS} ms`, LIGHT_TRAFFIC_INTERVAL_MS],
    ] as const) {
      chatFaults.fault = everyCall({ kind: 'reply', status: 500 });
      // A fresh trip: wait for the circuit to close from any earlier run first, so each run starts from its first open wait.
      await timeToClose(client, token, null).catch(() => 0);
      chatFaults.fault = everyCall({ kind: 'reply', status: 500 });
      await tripCircuit(client, token);
      chatFaults.fault = everyCall({ kind: 'pass' });
      const closedAfter = await timeToClose(client, token, interval);
      console.log(`${label}: closed ${(closedAfter / 1000).toFixed(2)} s after the service recovered (the recovery came right after the trip)`);
    }
    console.log('');

    // 3. Dashboard while the chat service hangs.
    chatFaults.fault = everyCall({ kind: 'pass' });
    await timeToClose(client, token, null);
    const healthy = await runDashboards(client, token);
    chatFaults.fault = everyCall({ kind: 'hang' });
    const hung = await runDashboards(client, token);
    const slow = hung.times.filter((ms) => ms > 1000).length;
    const withChat = hung.bodies.filter((body) => body.meta?.history_available).length;
    console.log(`## 3. GET /api/dashboard, ${DASHBOARD_CONCURRENCY} concurrent clients, ${DASHBOARD_REQUESTS} requests (DASHBOARD_PART_TIMEOUT_MS=3000)`);
    console.log(`healthy chat: ${summary(healthy.times)}; statuses ${JSON.stringify(healthy.statuses)}; wall time ${(healthy.wallMs / 1000).toFixed(1)} s`);
    console.log(`hung chat:    ${summary(hung.times)}; statuses ${JSON.stringify(hung.statuses)}; wall time ${(hung.wallMs / 1000).toFixed(1)} s`);
    console.log(`hung chat: ${slow} requests took over 1 s (those whose chat parts waited for the part timeout before the circuit opened); ${withChat} had chat history`);
  } finally {
    await client?.close();
    await gateway?.close();
    await chatFaults.close();
    await chat.close();
    await auth.close();
    await storage.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
