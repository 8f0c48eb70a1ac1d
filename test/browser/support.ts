/**
 * Shared pieces of the browser tests: the web client build, Chromium from
 * the Debian package, and small waiting helpers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repositoryRoot } from '../support/processes.ts';

/** Where Debian's chromium package installs the browser, unless CHROMIUM_PATH names another; the tests never download one. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium';

export const webDist = join(repositoryRoot, 'web', 'dist');
export const resultsDirectory = join(repositoryRoot, 'test-results');

/** Returns a skip message when Chromium is missing, so `npm test` passes on machines without it. */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM_PATH)) return false;
  return `Chromium not found at ${CHROMIUM_PATH}; install the Debian package "chromium" to run the browser tests`;
}

function newestModification(path: string): number {
  const stat = statSync(path);
  if (stat.isFile()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestModification(join(path, entry))));
}

/** Builds web/dist with Vite when it is missing or older than the client's sources. */
export function ensureWebBuild(): string {
  const index = join(webDist, 'index.html');
  const sources = ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts'].map((path) => join(repositoryRoot, path)).filter(existsSync);
  const fresh = existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources.map(newestModification));
  if (fresh) return webDist;
  const vite = join(repositoryRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: repositoryRoot,
    // The test runner sets NODE_ENV=test, which would give a larger development build.
    env: { ...process.env, NODE_ENV: 'production' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`vite build failed with status ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return webDist;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Saves a screenshot under test-results/ and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(resultsDirectory, { recursive: true });
  const path = join(resultsDirectory, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Retries `attempt` until it returns true, every `intervalMs`, for at most `timeoutMs`; returns the last result. */
export async function eventually(attempt: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await attempt()) return true;
    if (Date.now() + intervalMs > deadline) return false;
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}
