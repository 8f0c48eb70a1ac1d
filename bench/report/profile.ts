/**
 * Reads a V8 .cpuprofile (written by `node --cpu-prof`) and ranks where the
 * time went. It reports self time per function and inclusive time per
 * function, which counts each sample once per function on its stack. It also
 * sums self time per area: the gateway's own code, each npm package, Node's
 * core, and garbage collection.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface RankedEntry {
  name: string;
  milliseconds: number;
  /** Share of the busy time (all samples except idle), in percent. */
  percent: number;
}

export interface ProfileSummary {
  /** Milliseconds of the profile that were ranked, after the skipped start. */
  durationMs: number;
  busyMs: number;
  topSelf: RankedEntry[];
  topInclusive: RankedEntry[];
  byArea: RankedEntry[];
}

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const SYNTHETIC_FRAMES = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/** Returns the path relative to the repository, or `node:...` for Node's own modules. */
function shortUrl(url: string): string {
  if (url === '') return '';
  if (url.startsWith('file://')) return relative(repositoryRoot, fileURLToPath(url));
  return url;
}

export function areaOf(frame: CallFrame): string {
  if (SYNTHETIC_FRAMES.has(frame.functionName) && frame.url === '') return frame.functionName;
  // undici's HTTP parser is llhttp compiled to WebAssembly.
  if (frame.url.startsWith('wasm://')) return 'undici (llhttp, WebAssembly)';
  const url = shortUrl(frame.url);
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return packageMatch[1];
  if (url.startsWith('src/gateway/')) return 'src/gateway';
  if (url.startsWith('src/common/')) return 'src/common';
  if (url.startsWith('node:') || url === '') return 'node core and native';
  return url.split('/').slice(0, 2).join('/');
}

function frameName(frame: CallFrame): string {
  const url = shortUrl(frame.url);
  const name = frame.functionName || '(anonymous)';
  return url ? `${name} ${url}:${frame.lineNumber + 1}` : name;
}

function rank(times: Map<string, number>, busyMs: number, limit: number): RankedEntry[] {
  return [...times.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, milliseconds]) => ({ name, milliseconds, percent: (milliseconds / busyMs) * 100 }));
}

/**
 * Ranks the profile's samples taken at least `skipMs` after it started, so
 * start-up (module loading through tsx) and warm-up stay out of the figures.
 */
export function summarizeProfile(profile: CpuProfile, skipMs = 0, limit = 15): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

  // timeDeltas[i] is the time in microseconds since the previous sample; it is charged to sample i.
  const selfByNode = new Map<number, number>();
  let elapsedMs = 0;
  let firstKeptMs: number | undefined;
  profile.samples.forEach((id, index) => {
    const deltaMs = (profile.timeDeltas[index] ?? 0) / 1000;
    elapsedMs += deltaMs;
    if (elapsedMs < skipMs) return;
    firstKeptMs ??= elapsedMs;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + deltaMs);
  });

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const byArea = new Map<string, number>();
  let busyMs = 0;
  for (const [id, milliseconds] of selfByNode) {
    const node = nodes.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    busyMs += milliseconds;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + milliseconds);
    const area = areaOf(node.callFrame);
    byArea.set(area, (byArea.get(area) ?? 0) + milliseconds);

    const onStack = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
      const frame = nodes.get(current)?.callFrame;
      if (frame && !SYNTHETIC_FRAMES.has(frame.functionName)) onStack.add(frameName(frame));
    }
    for (const key of onStack) inclusive.set(key, (inclusive.get(key) ?? 0) + milliseconds);
  }

  return {
    durationMs: elapsedMs - (firstKeptMs ?? elapsedMs),
    busyMs,
    topSelf: rank(self, busyMs, limit),
    topInclusive: rank(inclusive, busyMs, limit),
    byArea: rank(byArea, busyMs, limit),
  };
}
