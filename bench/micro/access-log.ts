/**
 * Micro-benchmark of the gateway's access-log line: CPU per line of pino
 * configured as src/common/logger.ts does (redaction paths, ISO time, an
 * asynchronous destination), next to variants without redaction, with
 * writes batched by sonic-boom's minLength, and with epoch time. Lines go
 * to a temporary file, as they do in the benchmark. CPU includes the libuv
 * threadpool threads that run the asynchronous writes.
 * Run: taskset -c 0 node --import tsx bench/micro/access-log.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino, type DestinationStream, type LoggerOptions } from 'pino';
import { REDACT_PATHS } from '../../src/common/logger.ts';

const LINES = 100_000;
/** Lines logged per event-loop turn, like a busy gateway finishing several requests per turn. */
const BATCH = 32;
const directory = mkdtempSync(join(tmpdir(), 'access-log-bench-'));

const line = {
  method: 'GET',
  route: '/api/chat/history',
  url: '/api/chat/history',
  statusCode: 200,
  responseTime: 0.42,
  userId: '7d5e2a48-2b7c-4c1e-9a53-5f0b3f6d2c11',
  upstream: 'chat',
  upstreamStatus: 200,
  upstreamHeaderTime: 0.21,
};

const base: LoggerOptions = { level: 'info', base: { service: 'gateway' }, timestamp: pino.stdTimeFunctions.isoTime };
const variants: { label: string; options: LoggerOptions; destination: (path: string) => DestinationStream }[] = [
  {
    label: 'as configured: redaction, ISO time, one async write per line',
    options: { ...base, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination: (path) => pino.destination({ dest: path, sync: false }),
  },
  {
    label: 'no redaction',
    options: base,
    destination: (path) => pino.destination({ dest: path, sync: false }),
  },
  {
    label: 'redaction, writes batched to 4 KiB (minLength)',
    options: { ...base, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination: (path) => pino.destination({ dest: path, sync: false, minLength: 4096 }),
  },
  {
    label: 'no redaction, batched writes, epoch time',
    options: { ...base, timestamp: pino.stdTimeFunctions.epochTime },
    destination: (path) => pino.destination({ dest: path, sync: false, minLength: 4096 }),
  },
];

async function measure(label: string, options: LoggerOptions, destination: DestinationStream): Promise<void> {
  const logger = pino(options, destination);
  const child = logger.child({ reqId: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e' });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < LINES; index += BATCH) {
    for (let offset = 0; offset < BATCH; offset += 1) child.info(line, 'request completed');
    await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise<void>((resolve) => (destination as unknown as { flush(callback: () => void): void }).flush(() => resolve()));
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedMs = performance.now() - started;
  console.log(`${label}: ${((cpu.user + cpu.system) / LINES).toFixed(2)} µs CPU, ${((elapsedMs * 1000) / LINES).toFixed(2)} µs wall per line`);
}

try {
  for (const [index, variant] of variants.entries()) {
    await measure(variant.label, variant.options, variant.destination(join(directory, `warm-${index}.log`)));
  }
  for (const [index, variant] of variants.entries()) {
    await measure(variant.label, variant.options, variant.destination(join(directory, `run-${index}.log`)));
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}
