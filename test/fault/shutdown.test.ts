/**
 * Graceful shutdown of a real gateway process: on SIGTERM it stops
 * accepting connections, lets a slow in-flight request finish, and exits 0;
 * a request that outlasts SHUTDOWN_GRACE_MS is cut and its upstream request
 * closed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TEST_JWT_SECRET } from '../../src/common/test-support.ts';
import { signToken } from '../../src/gateway/test-support.ts';
import { startServiceProcess, type ServiceProcess } from '../support/processes.ts';
import { everyCall, FaultBackend } from './fault-backend.ts';

/** Resolves with how a new TCP connection to `port` went: accepted, or the error code. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

function exited(process: ServiceProcess): Promise<{ code: number | null; atMs: number }> {
  return new Promise((resolve) => process.child.once('exit', (code) => resolve({ code, atMs: performance.now() })));
}

describe('graceful shutdown', () => {
  let backend: FaultBackend;
  let dataDirectory: string;
  let token: string;

  before(async () => {
    backend = await FaultBackend.start();
    dataDirectory = mkdtempSync(join(tmpdir(), 'ms-fault-shutdown-'));
    token = await signToken();
  });

  after(async () => {
    await backend.close();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  async function startGatewayProcess(graceMs: number): Promise<ServiceProcess> {
    return startServiceProcess('gateway', 'src/gateway/main.ts', {
      JWT_SECRET_KEY: TEST_JWT_SECRET,
      DATA_DIR: dataDirectory,
      WEB_ROOT: join(dataDirectory, 'no-web-client'),
      AUTH_SERVICE_URL: backend.url,
      CHAT_SERVICE_URL: backend.url,
      HEALTH_CHECK_INTERVAL_MS: '60000',
      SHUTDOWN_GRACE_MS: String(graceMs),
      LOG_LEVEL: 'info',
    });
  }

  test('SIGTERM drains a slow request', async () => {
    backend.fault = everyCall({ kind: 'pass', delayMs: 1200 });
    const gateway = await startGatewayProcess(5000);
    const exit = exited(gateway);
    const before = backend.calls.length;
    const started = performance.now();
    const inFlight = fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } }).then(async (response) => ({
      status: response.status,
      body: await response.json(),
      atMs: performance.now(),
    }));
    assert.ok(await backend.waitFor(() => backend.calls.length > before, 3000), 'the request never reached the backend');

    gateway.child.kill('SIGTERM');
    let refused = false;
    const deadline = performance.now() + 1000;
    while (!refused && performance.now() < deadline) {
      refused = (await tryConnect(gateway.port)) === 'ECONNREFUSED';
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(refused, 'the gateway still accepted connections after SIGTERM');

    const response = await inFlight;
    assert.equal(response.status, 200, 'the in-flight request did not finish');
    assert.equal(response.body.url, '/mad-scientist/history');
    const { code, atMs } = await exit;
    assert.equal(code, 0, gateway.output());
    assert.ok(atMs >= response.atMs - 50, 'the process exited before the in-flight response was sent');
    assert.ok(atMs - started < 5000, 'the process waited for the whole grace period');
    assert.match(gateway.output(), /"gateway stopped"/);
  });

  test('grace period over cuts in-flight requests', async () => {
    backend.fault = everyCall({ kind: 'hang' });
    const gateway = await startGatewayProcess(300);
    const exit = exited(gateway);
    const before = backend.calls.length;
    const inFlight = fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } }).then(
      (response) => response.text().then(() => 'answered'),
      () => 'cut',
    );
    assert.ok(await backend.waitFor(() => backend.calls.length > before, 3000), 'the request never reached the backend');

    const signalledAt = performance.now();
    gateway.child.kill('SIGTERM');
    const { code, atMs } = await exit;
    assert.equal(code, 0, gateway.output());
    assert.ok(atMs - signalledAt >= 290, `exited ${atMs - signalledAt} ms after SIGTERM, before the grace period`);
    assert.ok(atMs - signalledAt < 3000, `exited ${atMs - signalledAt} ms after SIGTERM`);
    assert.equal(await inFlight, 'cut');
    const seen = backend.calls[before];
    assert.ok(await backend.waitFor(() => seen.closedEarlyAt !== null, 1000), 'the upstream request outlived the gateway');
    assert.match(gateway.output(), /shutdown grace period over/);
  });
});
