/**
 * Helpers for tests: each call makes storage that no other run shares. With
 * TEST_DATABASE_URL set, the services get fresh schemas on that PostgreSQL
 * server; without it, a fresh data folder for embedded PGlite databases.
 */
import { randomBytes } from 'node:crypto';
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
