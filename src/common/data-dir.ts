import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from './config.ts';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The folder for embedded databases and generated secrets: DATA_DIR, or ./data in the repository. */
export function dataDirectory(env: Env): string {
  const configured = env.DATA_DIR?.trim();
  const directory = configured ? resolve(configured) : join(repositoryRoot, 'data');
  mkdirSync(directory, { recursive: true });
  return directory;
}

/**
 * Returns the secret stored under `name` in the data folder, creating it on
 * first use. Creation uses the exclusive `wx` flag, so services that start at
 * the same moment still end up with one shared value.
 */
export function loadOrCreateSecret(directory: string, name: string, bytes = 48): { value: string; created: boolean } {
  const path = join(directory, 'secrets', `${name}.txt`);
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, randomBytes(bytes).toString('base64url'), { flag: 'wx', mode: 0o600 });
    return { value: readFileSync(path, 'utf8').trim(), created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { value: readFileSync(path, 'utf8').trim(), created: false };
  }
}
