import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TEST_JWT_SECRET } from '../common/test-support.ts';
import { closedPort } from './test-support.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Runs main.ts with `env`; `onOutput` may stop it. Resolves with its exit code and output, killing it after 20 s. */
function runMain(env: Record<string, string>, onOutput: (output: string, stop: () => void) => void = () => {}) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      onOutput(output, () => child.kill('SIGTERM'));
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    });
  });
}

test('main names a bad variable and exits 1', async () => {
  const { code, output } = await runMain({ PORT: 'eighty', JWT_SECRET_KEY: TEST_JWT_SECRET });
  assert.equal(code, 1);
  assert.match(output, /^Configuration error: PORT: invalid value "eighty"/m);
});

test('main listens and stops cleanly on SIGTERM', async () => {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'ms-gateway-main-'));
  const nowhere = `http://127.0.0.1:${await closedPort()}`;
  try {
    let stopped = false;
    const { code, output } = await runMain(
      { PORT: '0', DATA_DIR: dataDirectory, JWT_SECRET_KEY: TEST_JWT_SECRET, WEB_ROOT: join(dataDirectory, 'none'), AUTH_SERVICE_URL: nowhere, CHAT_SERVICE_URL: nowhere },
      (text, stop) => {
        if (!stopped && text.includes('"gateway listening"')) {
          stopped = true;
          stop();
        }
      },
    );
    assert.equal(code, 0, output);
    assert.match(output, /"gateway stopped"/);
  } finally {
    rmSync(dataDirectory, { recursive: true, force: true });
  }
});
