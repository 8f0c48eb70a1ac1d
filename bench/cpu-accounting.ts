/**
 * CPU time of a process tree from the kernel's own accounting:
 * utime + stime in /proc/<pid>/stat (fields 14 and 15, in clock ticks), which
 * cover every thread of the process. Children are found through the parent
 * pid in field 4, so an nginx master counts together with its worker.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const CLOCK_TICKS_PER_SECOND = readClockTicks();

function readClockTicks(): number {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(result.stdout.trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
}

interface StatFields {
  parentPid: number;
  cpuTicks: number;
}

function readStat(pid: number): StatFields | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses, so the fields are read after its last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field N sits at rest[N - 3].
  return { parentPid: Number(rest[1]), cpuTicks: Number(rest[11]) + Number(rest[12]) };
}

/** Returns the pid and every descendant pid that is alive now. */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const siblings = children.get(stat.parentPid) ?? [];
    siblings.push(Number(entry));
    children.set(stat.parentPid, siblings);
  }
  const tree: number[] = [];
  const pending = [rootPid];
  while (pending.length > 0 && tree.length < 10_000) {
    const pid = pending.pop() as number;
    tree.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Sums utime + stime of the given processes, in seconds. Processes that have exited count as zero. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) ticks += readStat(pid)?.cpuTicks ?? 0;
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** Reads a field such as VmRSS or VmHWM from /proc/<pid>/status, in bytes. */
export function memoryField(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** Busy seconds of one core since boot from /proc/stat: all time except idle and iowait. */
export function coreBusySeconds(core: number): number {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((candidate) => candidate.startsWith(`cpu${core} `));
  if (!line) throw new Error(`/proc/stat has no line for core ${core}`);
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Waits until each of `cores` was busy less than `maxBusyFraction` of a
 * 300 ms window, or until `maxWaitMs` has passed. Between runs the benchmark's
 * own processes are idle, so busy time then comes from other work on the
 * machine. Returns the milliseconds waited.
 */
export async function waitForQuietCores(cores: number[], maxBusyFraction: number, maxWaitMs: number): Promise<number> {
  const windowMs = 300;
  const started = Date.now();
  while (Date.now() - started < maxWaitMs) {
    const before = cores.map((core) => coreBusySeconds(core));
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const quiet = cores.every((core, index) => (coreBusySeconds(core) - before[index]) / (windowMs / 1000) < maxBusyFraction);
    if (quiet) break;
  }
  return Date.now() - started;
}
