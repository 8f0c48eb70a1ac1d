import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createTestStorage, startMainProcess, waitFor, type TestStorage } from '../common/test-support.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

let storage: TestStorage;
before(() => {
  storage = createTestStorage('authmain');
});
after(() => storage.cleanup());

function startMain(env: Record<string, string | undefined>) {
  return startMainProcess(MAIN, storage, env);
}

describe('auth main', () => {
  it('exits 1 naming the variable on a configuration error', async () => {
    const run = startMain({ PORT: 'not-a-port' });
    const [code] = await run.exited;
    assert.equal(code, 1);
    assert.match(run.output().stderr, /^Configuration error: PORT: invalid value "not-a-port"/m);
  });

  it('logs its URL, serves, and exits 0 on SIGTERM', async () => {
    const run = startMain({});
    try {
      const url = await waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(run.output().stdout)?.[1], 30_000);
      const health = await fetch(`${url}/health`);
      assert.equal(health.status, 200);

      run.child.kill('SIGTERM');
      const [code] = await run.exited;
      assert.equal(code, 0);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  });
});
