import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import Fastify from 'fastify';
import { createLogger } from '../common/logger.ts';
import { createLoadSheddingHook, LoadMonitor, type LoadReadings } from './load-shedding.ts';
import { LogSink } from './test-support.ts';

/** Readings the test sets by hand. */
function fixedReadings(): LoadReadings & { delayMs: number; heapPercent: number } {
  return {
    delayMs: 0,
    heapPercent: 10,
    eventLoopDelayMs() {
      return this.delayMs;
    },
    heapUsedPercent() {
      return this.heapPercent;
    },
  };
}

const SETTINGS = { maxEventLoopDelayMs: 100, maxHeapUsedPercent: 90, sampleIntervalMs: 2000 };

test('load monitor sheds over either threshold', () => {
  const logs = new LogSink();
  const readings = fixedReadings();
  const monitor = new LoadMonitor(SETTINGS, createLogger({ service: 'gateway', level: 'info', destination: logs }), readings);
  monitor.sample();
  assert.equal(monitor.overloaded, false);

  readings.delayMs = 150;
  monitor.sample();
  monitor.sample();
  assert.equal(monitor.overloaded, true);
  readings.delayMs = 0;
  readings.heapPercent = 95;
  monitor.sample();
  assert.equal(monitor.overloaded, true);
  readings.heapPercent = 50;
  monitor.sample();
  assert.equal(monitor.overloaded, false);

  const messages = logs.lines.map((line) => line.msg);
  assert.deepEqual(messages, ['load shedding started', 'load shedding stopped']);
  assert.match(logs.lines[0].reason, /event loop delay 150 ms over 100 ms/);
  assert.equal(logs.lines[0].level, 40);
});

test('load monitor with both thresholds at 0 is off', () => {
  const readings = fixedReadings();
  readings.delayMs = 10_000;
  const monitor = new LoadMonitor({ ...SETTINGS, maxEventLoopDelayMs: 0, maxHeapUsedPercent: 0 }, createLogger({ service: 'gateway', level: 'silent' }), readings);
  assert.equal(monitor.enabled, false);
  monitor.sample();
  assert.equal(monitor.overloaded, false);
});

const app = Fastify();
after(() => app.close());

test('load shedding hook answers 503 with Retry-After and spares /health', async () => {
  const readings = fixedReadings();
  const monitor = new LoadMonitor(SETTINGS, createLogger({ service: 'gateway', level: 'silent' }), readings);
  app.addHook('onRequest', createLoadSheddingHook(monitor));
  app.get('/api/thing', async () => ({ ok: true }));
  app.get('/health', async () => ({ status: 'healthy' }));

  assert.equal((await app.inject('/api/thing')).statusCode, 200);
  readings.delayMs = 500;
  monitor.sample();
  const shed = await app.inject({ url: '/api/thing', headers: { 'x-request-id': 'r1' } });
  assert.equal(shed.statusCode, 503);
  assert.equal(shed.headers['retry-after'], '2');
  assert.equal(shed.json().error.code, 'SERVICE_UNAVAILABLE');
  assert.equal((await app.inject('/health')).statusCode, 200);
  assert.equal(monitor.snapshot().total_shed, 1);
});
