/**
 * CPU profile of the gateway's hot path: a gateway started under
 * `node --cpu-prof` serves the closed-loop load, then exits on SIGTERM so
 * V8 writes the profile, which is summarized by report/profile.ts.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { LoadResult } from '../load/result.ts';
import { summarizeProfile, type CpuProfile, type ProfileSummary } from '../report/profile.ts';
import type { RunningServer } from '../systems.ts';
import { startScenarioGateway, type ScenarioContext } from './context.ts';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface ProfileResult {
  load: LoadResult;
  summary: ProfileSummary;
  /** Path of the copy of the raw profile relative to the repository, when a results folder is written. */
  savedAs?: string;
}

export async function runProfile(context: ScenarioContext, upstream: RunningServer, saveDirectory: string | undefined): Promise<ProfileResult> {
  const { clients, options, headers, log } = context;
  const profileDirectory = join(context.directory, 'cpu-profile');
  mkdirSync(profileDirectory, { recursive: true });
  const spawnedAt = performance.now();
  const gateway = await startScenarioGateway(context, {
    name: 'gateway-profile',
    chatServiceUrl: upstream.origin,
    authServiceUrl: upstream.origin,
    nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`],
  });
  const process = gateway.server!.process;
  let load: LoadResult;
  let measuredFrom: number;
  try {
    const settings = { url: gateway.url, headers, connections: options.connections };
    await clients.closedLoop({ ...settings, durationSeconds: Math.max(2, options.warmupSeconds) });
    const durationSeconds = Math.max(options.durationSeconds, 10);
    log(`profile: gateway under --cpu-prof, closed-loop load for ${durationSeconds} s`);
    measuredFrom = performance.now();
    load = await clients.closedLoop({ ...settings, durationSeconds });
  } finally {
    await process.stop(15_000);
  }

  // The main thread's profile is the largest file; the module loader thread writes a small one too.
  const files = readdirSync(profileDirectory)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(profileDirectory, name))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (files.length === 0) throw new Error('the gateway wrote no .cpuprofile: it did not exit cleanly on SIGTERM');
  const profile = JSON.parse(readFileSync(files[0], 'utf8')) as CpuProfile;
  let savedAs: string | undefined;
  if (saveDirectory) {
    const copy = join(saveDirectory, 'gateway.cpuprofile');
    copyFileSync(files[0], copy);
    savedAs = relative(repositoryRoot, copy);
  }
  // The profile starts a little after the spawn, so this skips all of start-up and warm-up and at most a few ms of the load.
  return { load, summary: summarizeProfile(profile, measuredFrom - spawnedAt), savedAs };
}
