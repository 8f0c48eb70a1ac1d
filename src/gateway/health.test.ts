/**
 * GET /health: built from active checks of each upstream's /health and from
 * the circuit breakers.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createLogger } from '../common/logger.ts';
import { readGatewayConfig } from './config.ts';
import { HealthMonitor } from './health.ts';
import { buildHealthCheckPipeline } from './pipeline.ts';
import { FakeUpstream, sendJson, signToken, startTestGateway, type TestGateway } from './test-support.ts';
import { Upstream } from './upstream.ts';

async function health(gateway: TestGateway) {
  const response = await fetch(`${gateway.url}/health`);
  return { status: response.status, body: await response.json() };
}

/** Polls /health until `ready` accepts it; bounded by `timeoutMs`. */
async function healthUntil(gateway: TestGateway, ready: (body: any) => boolean, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  let last = await health(gateway);
  while (!ready(last.body) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await health(gateway);
  }
  return last;
}

describe('health', () => {
  let auth: FakeUpstream;
  let chat: FakeUpstream;
  let gateway: TestGateway;
  let chatDatabaseDown = false;

  after(async () => {
    await gateway?.close();
    await auth?.stop();
    await chat?.stop();
  });

  test('healthy when both upstreams answer', async () => {
    auth = await FakeUpstream.start();
    chat = await FakeUpstream.start((request, response, recorded) => {
      if (recorded.url === '/health' && chatDatabaseDown) return sendJson(response, 503, { status: 'unhealthy' });
      if (recorded.url === '/health') return sendJson(response, 200, { status: 'healthy' });
      sendJson(response, 500, { error: { code: 'INTERNAL_ERROR', message: 'x' }, meta: { request_id: 'u' } });
    });
    gateway = await startTestGateway(
      { auth: auth.url, chat: chat.url },
      { HEALTH_CHECK_INTERVAL_MS: '100', BREAKER_MIN_CALLS: '2', BREAKER_WINDOW_SIZE: '2', BREAKER_OPEN_MS: '300' },
    );
    const { status, body } = await healthUntil(gateway, (report) => report.status === 'healthy');
    assert.equal(status, 200);
    assert.equal(body.status, 'healthy');
    assert.equal(body.gateway.status, 'healthy');
    assert.equal(typeof body.gateway.uptime_seconds, 'number');
    for (const name of ['auth', 'chat']) {
      const service = body.services[name];
      assert.equal(service.status, 'healthy');
      assert.equal(typeof service.response_time_ms, 'number');
      assert.equal(service.circuit.state, 'closed');
      assert.equal(service.circuit.window.failures, 0);
      assert.equal(service.circuit.last_transition, null);
    }
    assert.equal(body.system.node_version, process.version);
    assert.ok(body.system.memory.rss > 0);
    assert.ok(body.system.memory.heap_used > 0);
    assert.ok(body.system.memory.heap_total > 0);
    assert.equal(typeof body.meta.request_id, 'string');
  });

  test('degraded when one upstream reports itself unhealthy', async () => {
    chatDatabaseDown = true;
    const { status, body } = await healthUntil(gateway, (report) => report.status === 'degraded');
    assert.equal(status, 200);
    assert.equal(body.status, 'degraded');
    assert.equal(body.services.auth.status, 'healthy');
    assert.equal(body.services.chat.status, 'unhealthy');
    assert.equal(body.services.chat.error, 'UPSTREAM_UNAVAILABLE');
    chatDatabaseDown = false;
    await healthUntil(gateway, (report) => report.status === 'healthy');
  });

  test('an open circuit makes its service unhealthy, and a passing check closes it', async () => {
    const token = await signToken();
    for (let index = 0; index < 2; index += 1) {
      await (await fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
    }
    const open = await health(gateway);
    assert.equal(open.body.services.chat.circuit.state, 'open');
    assert.equal(open.body.services.chat.status, 'unhealthy');
    assert.equal(open.body.status, 'degraded');

    // No user traffic from here: the active checks alone must close the circuit.
    const recovered = await healthUntil(gateway, (report) => report.services.chat.circuit.state === 'closed');
    assert.equal(recovered.body.services.chat.circuit.state, 'closed');
    assert.equal(recovered.body.services.chat.status, 'healthy');
  });

  test('unhealthy with 503 when both upstreams are down', async () => {
    await auth.stop();
    await chat.stop();
    const { status, body } = await healthUntil(gateway, (report) => report.status === 'unhealthy');
    assert.equal(status, 503);
    assert.equal(body.status, 'unhealthy');
    assert.equal(body.services.auth.status, 'unhealthy');
    assert.equal(body.services.chat.status, 'unhealthy');
    assert.doesNotMatch(JSON.stringify(body), /127\.0\.0\.1|ECONNREFUSED/);
    const down = gateway.logs.lines.filter((line) => line.msg === 'upstream is down' && line.upstream === 'auth');
    assert.equal(down.length, 1, 'the change to down was not logged exactly once');
  });

  test('recovery is noticed by the active checks', async () => {
    await auth.restart();
    await chat.restart();
    const { status, body } = await healthUntil(gateway, (report) => report.status === 'healthy');
    assert.equal(status, 200);
    assert.equal(body.status, 'healthy');
    assert.ok(gateway.logs.lines.some((line) => line.msg === 'upstream is up' && line.upstream === 'auth'));
  });
});

describe('health fed by traffic', () => {
  let auth: FakeUpstream;
  let chat: FakeUpstream;
  let gateway: TestGateway;
  after(async () => {
    await gateway?.close();
    await auth?.stop();
    await chat?.stop();
  });

  test('a failed call shows at once, long before the next check', async () => {
    auth = await FakeUpstream.start();
    chat = await FakeUpstream.start();
    gateway = await startTestGateway({ auth: auth.url, chat: chat.url }, { HEALTH_CHECK_INTERVAL_MS: '60000' });
    assert.equal((await healthUntil(gateway, (report) => report.status === 'healthy')).body.status, 'healthy');
    const token = await signToken();

    await chat.stop();
    const failed = await fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(failed.status, 503);
    const down = await health(gateway);
    assert.equal(down.body.status, 'degraded');
    assert.equal(down.body.services.chat.status, 'unhealthy');

    await chat.restart();
    const answered = await fetch(`${gateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(answered.status, 200);
    const up = await health(gateway);
    assert.equal(up.body.status, 'healthy');
  });
});

describe('HealthMonitor on demand', () => {
  let upstream: FakeUpstream;
  let target: Upstream;
  after(async () => {
    await target?.close();
    await upstream?.stop();
  });

  test('checks only when the last result is older than the interval', async () => {
    upstream = await FakeUpstream.start();
    const config = readGatewayConfig({ AUTH_SERVICE_URL: upstream.url });
    const logger = createLogger({ service: 'gateway', level: 'silent' });
    target = new Upstream('auth', upstream.url, config, logger);
    // Never started, so every check here is one asked for on demand.
    const monitor = new HealthMonitor({ upstreams: [target], pipeline: buildHealthCheckPipeline(), intervalMs: 150, timeoutMs: 500, logger });
    const checks = () => upstream.requests.filter((request) => request.url === '/health').length;

    assert.equal(monitor.report().services.auth.status, 'unhealthy', 'an unchecked upstream counted as healthy');
    await Promise.all([monitor.refreshStale(), monitor.refreshStale(), monitor.refreshStale()]);
    assert.equal(checks(), 1, 'concurrent requests started separate checks');
    assert.equal(monitor.report().services.auth.status, 'healthy');

    await monitor.refreshStale();
    assert.equal(checks(), 1, 'a fresh result was checked again');

    await new Promise((resolve) => setTimeout(resolve, 200));
    await upstream.stop();
    await monitor.refreshStale();
    assert.equal(monitor.report().services.auth.status, 'unhealthy');
  });
});
