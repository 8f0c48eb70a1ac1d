/**
 * Micro-benchmark of the gateway's access-log line: CPU per line of pino
 * with the service logger's redaction paths and without them (the access
 * line skips them, see unredactedChild), written asynchronously through the
 * libuv threadpool or synchronously, one write per event-loop turn or
 * batched to 4 KiB (sonic-boom's minLength). Lines go to a temporary file,
 * as they do in the benchmark. CPU includes the threadpool threads.
 * Run: taskset -c 0 node --import tsx bench/micro/access-log.ts [lines per turn, default 2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino, type DestinationStream, type LoggerOptions } from 'pino';
import { LOG_BUFFER_BYTES, LOG_FLUSH_INTERVAL_MS, REDACT_PATHS } from '../../src/common/logger.ts';

const LINES = 100_000;
/** Lines logged per event-loop turn: a busy gateway finishes one to a few dozen requests per turn. */
const BATCH = Number(process.argv[2] ?? 2);
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
const redacted: LoggerOptions = { ...base, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
const variants: { label: string; options: LoggerOptions; destination: (path: string) => DestinationStream }[] = [
  {
    label: 'redaction, asynchronous writes',
    options: redacted,
    destination: (path) => pino.destination({ dest: path, sync: false }),
  },
  {
    label: 'no redaction, asynchronous writes',
    options: base,
    destination: (path) => pino.destination({ dest: path, sync: false }),
  },
  {
    label: 'no redaction, asynchronous writes batched to 4 KiB',
    options: base,
    destination: (path) => pino.destination({ dest: path, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS }),
  },
  {
    label: 'as configured: no redaction, synchronous writes batched to 4 KiB',
    options: base,
    destination: (path) => pino.destination({ dest: path, sync: true, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS }),
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
