/** The machine and tool versions a result was measured with, recorded next to the figures. */
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, release, totalmem } from 'node:os';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  kernel: string;
  node: string;
  nginx: string | null;
  wrk: string | null;
  /** 1-minute load average when the run started: other work on the machine skews the figures. */
  loadAverageAtStart: number;
  /** Commit of the code measured, and whether src/ had uncommitted changes. */
  gitCommit: string | null;
  sourceModified: boolean;
}

function firstLine(command: string, args: string[]): string | null {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) return null;
  const text = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return text ? text.split('\n')[0] : null;
}

function loadAverage(): number {
  const result = spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' });
  return Number(result.stdout.split(' ')[0]);
}

export function describeMachine(nginxPath: string | undefined, wrkPath: string | undefined): MachineInfo {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
    nginx: nginxPath ? firstLine(nginxPath, ['-v']) : null,
    wrk: wrkPath ? firstLine(wrkPath, ['-v']) : null,
    loadAverageAtStart: loadAverage(),
    gitCommit: firstLine('git', ['rev-parse', '--short', 'HEAD']),
    sourceModified: (firstLine('git', ['status', '--porcelain', '--', 'src']) ?? '') !== '',
  };
}
