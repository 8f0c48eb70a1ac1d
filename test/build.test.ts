/**
 * Compiles the services with scripts/build.mjs, as the production images do,
 * into a folder of its own, and runs the compiled auth service and gateway
 * with plain node. A registration and a login through the gateway show that
 * the bundles start, find their packages and apply the auth migrations copied
 * next to them.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { createTestStorage, type TestStorage } from '../src/common/test-support.ts';
import { freePort, repositoryRoot, startServiceProcess, type ServiceProcess } from './support/processes.ts';

const outputName = `.build-test-${randomBytes(4).toString('hex')}`;
const output = join(repositoryRoot, outputName);
let storage: TestStorage;
let auth: ServiceProcess | undefined;
let gateway: ServiceProcess | undefined;

before(async () => {
  await promisify(execFile)(process.execPath, [join(repositoryRoot, 'scripts/build.mjs'), '--out', outputName], { cwd: repositoryRoot });
  storage = createTestStorage('build');
});

after(async () => {
  await Promise.all([gateway, auth].filter(Boolean).map((service) => service!.stop()));
  await storage?.cleanup();
  rmSync(output, { recursive: true, force: true });
});

test('build writes entries and migrations', () => {
  for (const file of ['gateway/main.js', 'auth/main.js', 'auth/rotate-keys.js', 'chat/main.js', 'auth/migrations', 'chat/migrations']) {
    assert.ok(existsSync(join(output, file)), `${file} is missing`);
  }
});

test('compiled services register and log in', async () => {
  const env = { ...storage.env, LOG_LEVEL: 'warn' };
  auth = await startServiceProcess('auth', `${outputName}/auth/main.js`, env);
  gateway = await startServiceProcess('gateway', `${outputName}/gateway/main.js`, {
    ...env,
    AUTH_SERVICE_URL: auth.url,
    // No chat service: the gateway starts anyway and reports it as down.
    CHAT_SERVICE_URL: `http://127.0.0.1:${await freePort()}`,
  });

  const username = `built_${Date.now().toString(36)}`;
  const credentials = { username, email: `${username}@example.com`, password: 'correct horse battery' };
  const registered = await fetch(`${gateway.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  assert.equal(registered.status, 201, await registered.clone().text());

  const loggedIn = await fetch(`${gateway.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: credentials.password }),
  });
  assert.equal(loggedIn.status, 200);
  const body = (await loggedIn.json()) as { access_token?: unknown };
  assert.equal(typeof body.access_token, 'string');
});
