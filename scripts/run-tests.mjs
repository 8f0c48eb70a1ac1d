#!/usr/bin/env node
// Runs the test files with Node's own test runner, loading TypeScript through tsx.
// With arguments, runs only those files or folders; otherwise every *.test.ts
// under src/, test/ and web/src/.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function collect(path, found) {
  const stat = statSync(path);
  if (stat.isFile()) {
    if (path.endsWith('.test.ts')) found.push(path);
    return found;
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    collect(join(path, entry), found);
  }
  return found;
}

const targets = process.argv.slice(2);
const roots = targets.length > 0 ? targets : ['src', 'test', 'web/src'].map((folder) => join(root, folder));
const files = roots.flatMap((target) => collect(target, [])).map((file) => relative(process.cwd(), file));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'test' },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
