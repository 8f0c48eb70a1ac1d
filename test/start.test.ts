/**
 * `npm start` as a newcomer runs it: the launcher brings up the three
 * services, restarts one that crashes while the others keep serving, and
 * stops everything on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort, repositoryRoot } from './support/processes.ts';

const dataDirectory = mkdtempSync(join(tmpdir(), 'ms-start-'));
after(() => rmSync(dataDirectory, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('launcher starts, restarts a crashed service and stops', { timeout: 180_000 }, async () => {
  const [gatewayPort, authPort, chatPort] = [await freePort(), await freePort(), await freePort()];
  const launcher = spawn(process.execPath, ['--import', 'tsx', join(repositoryRoot, 'src/start.ts')], {
    cwd: repositoryRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDirectory,
      PORT: String(gatewayPort),
      AUTH_PORT: String(authPort),
      CHAT_PORT: String(chatPort),
      LOG_LEVEL: 'warn',
      HEALTH_CHECK_INTERVAL_MS: '300',
      BREAKER_OPEN_MS: '300',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let progress = '';
  launcher.stderr?.on('data', (chunk) => (progress += chunk));
  try {
    await until(() => progress.includes('Mad Scientist is running') || launcher.exitCode !== null, 150_000, 'the stack to start');
    assert.match(progress, new RegExp(`open http://localhost:${gatewayPort}`));
    const pids = [...progress.matchAll(/starting (\w+ ?\w*) on port \d+, process (\d+)/g)].map((match) => ({ name: match[1], pid: Number(match[2]) }));
    assert.deepEqual(pids.map((entry) => entry.name).sort(), ['auth service', 'chat service', 'gateway']);

    const gateway = `http://127.0.0.1:${gatewayPort}`;
    const chat = pids.find((entry) => entry.name === 'chat service')!;
    process.kill(chat.pid, 'SIGKILL');
    await until(() => progress.includes('chat service stopped unexpectedly'), 10_000, 'the crash report');
    const health = await fetch(`${gateway}/health`);
    assert.ok(health.status === 200, 'the gateway keeps serving while the chat service is down');

    await until(() => /chat service is ready[^\n]*\n[\s\S]*chat service is ready/.test(progress), 60_000, 'the chat service restart');
    // The gateway notices the recovery through its active health checks, without user traffic.
    let chatStatus = '';
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && chatStatus !== 'healthy') {
      const body = (await (await fetch(`${gateway}/health`)).json()) as { services: { chat: { status: string } } };
      chatStatus = body.services.chat.status;
      if (chatStatus !== 'healthy') await new Promise((done) => setTimeout(done, 200));
    }
    assert.equal(chatStatus, 'healthy');

    const allPids = [...progress.matchAll(/, process (\d+)/g)].map((match) => Number(match[1]));
    launcher.kill('SIGTERM');
    const code = await new Promise<number | null>((done) => launcher.once('exit', (exitCode) => done(exitCode)));
    assert.equal(code, 0);
    for (const pid of allPids) assert.equal(alive(pid), false, `process ${pid} is still running`);
  } finally {
    // The children share the launcher's stderr pipe, so each must end for this test file to finish.
    if (launcher.exitCode === null) launcher.kill('SIGKILL');
    for (const match of progress.matchAll(/, process (\d+)/g)) {
      if (alive(Number(match[1]))) process.kill(Number(match[1]), 'SIGKILL');
    }
  }
});
