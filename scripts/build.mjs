#!/usr/bin/env node
// Compiles the services to plain JavaScript for production: one ES module per
// entry point in dist/, the project's own modules bundled in and packages left
// to node_modules. `node dist/gateway/main.js` then runs without tsx, whose
// loader thread costs each process about 40 MB of memory.
//
// Each output file sits two folders below the repository root, as its source
// does, so paths the code builds from import.meta.url (the web client, the
// data folder, package.json) resolve the same. The SQL migrations are copied
// next to the service that runs them.
import { cpSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

export const repositoryRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Output name (without .js) to source file, relative to the repository root. */
export const SERVICE_ENTRIES = {
  'gateway/main': 'src/gateway/main.ts',
  'auth/main': 'src/auth/main.ts',
  'auth/rotate-keys': 'src/auth/rotate-keys.ts',
  'chat/main': 'src/chat/main.ts',
};

const MIGRATIONS = ['auth', 'chat'];

/**
 * Bundles `entries` into `outputDirectory`, which must be a direct child of
 * the repository root, with each entry name one folder deep (`gateway/main`),
 * and copies the migrations when `withMigrations` is set.
 */
export async function buildEntries(entries, outputDirectory, { withMigrations = true } = {}) {
  const output = resolve(repositoryRoot, outputDirectory);
  // Paths that the code builds from import.meta.url resolve only if each bundle sits two folders below the root, as its source does.
  if (resolve(output, '..') !== repositoryRoot) {
    throw new Error(`invalid output folder ${output}: expected a direct child of ${repositoryRoot}`);
  }
  const misplaced = Object.keys(entries).filter((name) => name.split('/').length !== 2);
  if (misplaced.length > 0) {
    throw new Error(`invalid entry names ${misplaced.join(', ')}: expected one folder deep, such as gateway/main`);
  }
  const entryPoints = Object.fromEntries(Object.entries(entries).map(([name, source]) => [name, join(repositoryRoot, source)]));
  await build({
    entryPoints,
    outdir: output,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  if (withMigrations) {
    for (const service of MIGRATIONS) {
      cpSync(join(repositoryRoot, 'src', service, 'migrations'), join(output, service, 'migrations'), { recursive: true });
    }
  }
  return output;
}

// Usage: node scripts/build.mjs [--out FOLDER]   (FOLDER defaults to dist, below the repository root)
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
  const output = resolve(repositoryRoot, values.out);
  rmSync(output, { recursive: true, force: true });
  await buildEntries(SERVICE_ENTRIES, output);
  console.log(`built ${Object.keys(SERVICE_ENTRIES).length} entry points into ${output}`);
}
