/**
 * Keeps the README's test section in step with the code: every TEST_*
 * variable that a test or test helper reads is documented there.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repositoryRoot } from './support/processes.ts';

const SOURCE_FOLDERS = ['src', 'test', 'web/src', 'scripts'];
const TEST_VARIABLE = /process\.env\.(TEST_[A-Z0-9_]+)/g;

function sourceFiles(path: string, found: string[] = []): string[] {
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const child = join(path, entry);
    if (statSync(child).isDirectory()) sourceFiles(child, found);
    else if (/\.(ts|tsx|mjs)$/.test(entry)) found.push(child);
  }
  return found;
}

test('README documents every TEST_ variable', () => {
  const read = new Set<string>();
  for (const folder of SOURCE_FOLDERS) {
    for (const file of sourceFiles(join(repositoryRoot, folder))) {
      for (const match of readFileSync(file, 'utf8').matchAll(TEST_VARIABLE)) read.add(match[1]);
    }
  }
  assert.ok(read.has('TEST_DATABASE_URL'), 'the scan found no TEST_ variable at all');

  const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8');
  for (const variable of [...read].sort()) assert.ok(readme.includes(`\`${variable}\``), `README.md does not document ${variable}`);
});
