/**
 * Helpers for tests: each call makes storage that no other run shares. With
 * TEST_DATABASE_URL set, the services get fresh schemas on that PostgreSQL
 * server; without it, a fresh data folder for embedded PGlite databases.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env } from './config.ts';

export interface TestStorage {
  /** Variables to merge into a service's environment. */
  env: Env;
  /** True when the tests run against a PostgreSQL server. */
  postgres: boolean;
  /** Drops the schemas or removes the data folder. */
  cleanup(): Promise<void>;
}

/** A fixed development secret for tests, at least 32 characters like production requires. */
export const TEST_JWT_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

export function createTestStorage(label = 'test'): TestStorage {
  const dataDirectory = mkdtempSync(join(tmpdir(), `ms-${label}-`));
  const url = process.env.TEST_DATABASE_URL?.trim();
  const suffix = `${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const authSchema = `t_${suffix}_auth`;
  const chatSchema = `t_${suffix}_chat`;
  const env: Env = {
    DATA_DIR: dataDirectory,
    JWT_SECRET_KEY: TEST_JWT_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  };
  if (url) {
    env.DATABASE_URL = url;
    env.AUTH_DB_SCHEMA = authSchema;
    env.CHAT_DB_SCHEMA = chatSchema;
  }
  return {
    env,
    postgres: Boolean(url),
    async cleanup() {
      if (url) {
        const { default: pg } = await import('pg');
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS "${authSchema}" CASCADE`);
          await client.query(`DROP SCHEMA IF EXISTS "${chatSchema}" CASCADE`);
        } finally {
          await client.end();
        }
      }
      rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
}

/** A clock that starts at the real time and moves only when a test advances it. */
export class TestClock {
  #now = Date.now();

  readonly now = (): number => this.#now;

  advance(milliseconds: number): void {
    this.#now += milliseconds;
  }

  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000);
  }
}

/**
 * Starts a service's main.ts through tsx and collects its output. The
 * environment is `storage`'s, then 127.0.0.1, a free port and info-level
 * logs, then `overrides`.
 */
export function startMainProcess(main: string, storage: TestStorage, overrides: Env = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { PATH: process.env.PATH, ...storage.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...overrides },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** Waits up to `ms` for `predicate` to return a value, polling every 50 ms. */
export async function waitFor<T>(predicate: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = predicate();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met within ${ms} ms`);
}
