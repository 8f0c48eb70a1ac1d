import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CircuitState } from './circuit-breaker.ts';
import { GatewayMetrics } from './metrics.ts';
import { closedPort, echoHandler, FakeUpstream, sendJson, signToken, startTestGateway, type TestGateway } from './test-support.ts';
import type { Upstream } from './upstream.ts';

let auth: FakeUpstream;
let chat: FakeUpstream;
let gateway: TestGateway;
let token: string;

before(async () => {
  auth = await FakeUpstream.start();
  chat = await FakeUpstream.start((request, response, recorded) => {
    if (recorded.url.startsWith('/mad-scientist/conversations')) return sendJson(response, 503, { error: { code: 'SERVICE_UNAVAILABLE' } });
    echoHandler(request, response, recorded);
  });
  gateway = await startTestGateway({ auth: auth.url, chat: chat.url }, { METRICS_PORT: '0' });
  token = await signToken();
});

after(async () => {
  await gateway?.close();
  await Promise.all([auth?.stop(), chat?.stop()]);
});

/** Returns the value of one sample line, such as `name{a="1"} 2`, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(): Promise<string> {
  assert.ok(gateway.gateway.metricsUrl, 'METRICS_PORT=0 opens a metrics listener');
  const response = await fetch(gateway.gateway.metricsUrl);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return response.text();
}

test('metrics count requests by route, method and status', async () => {
  const authorization = `Bearer ${token}`;
  for (let index = 0; index < 3; index += 1) await (await fetch(`${gateway.url}/api/auth/profile?n=${index}`, { headers: { authorization } })).arrayBuffer();
  await (await fetch(`${gateway.url}/api/auth/profile`)).arrayBuffer();
  await (await fetch(`${gateway.url}/api/no-such-route/1`)).arrayBuffer();
  await (await fetch(`${gateway.url}/api/no-such-route/2`)).arrayBuffer();

  const text = await scrape();
  assert.equal(sample(text, 'gateway_http_requests_total{route="/api/auth/profile",method="GET",status="200"}'), 3);
  assert.equal(sample(text, 'gateway_http_requests_total{route="/api/auth/profile",method="GET",status="401"}'), 1);
  // Unknown paths share one label value, so they cannot grow the number of series.
  assert.equal(sample(text, 'gateway_http_requests_total{route="unmatched",method="GET",status="404"}'), 2);
  assert.equal(sample(text, 'gateway_http_request_duration_seconds_count{route="/api/auth/profile",method="GET"}'), 4);
  assert.ok(!text.includes('no-such-route'), 'a raw path became a label value');
});

test('metrics count upstream calls by outcome', async () => {
  const authorization = `Bearer ${token}`;
  await (await fetch(`${gateway.url}/api/chat/history`, { headers: { authorization } })).arrayBuffer();
  await (await fetch(`${gateway.url}/api/chat/conversations`, { headers: { authorization } })).arrayBuffer();

  const text = await scrape();
  assert.ok((sample(text, 'gateway_upstream_requests_total{upstream="chat",outcome="2xx"}') ?? 0) >= 1);
  assert.ok((sample(text, 'gateway_upstream_requests_total{upstream="chat",outcome="5xx"}') ?? 0) >= 1);
  assert.ok((sample(text, 'gateway_upstream_errors_total{upstream="chat",kind="server-error"}') ?? 0) >= 1);
  assert.ok((sample(text, 'gateway_upstream_response_seconds_count{upstream="chat"}') ?? 0) >= 2);
  assert.equal(sample(text, 'gateway_circuit_breaker_state{upstream="chat",state="closed"}'), 1);
  assert.equal(sample(text, 'gateway_circuit_breaker_state{upstream="chat",state="open"}'), 0);
});

test('metrics include event-loop delay and memory', async () => {
  const text = await scrape();
  assert.match(text, /^nodejs_eventloop_lag_p99_seconds \d/m);
  assert.match(text, /^process_resident_memory_bytes \d/m);
  assert.match(text, /^nodejs_heap_size_used_bytes \d/m);
});

test('metrics count rate-limit rejections', async () => {
  const metrics = gateway.gateway.app.metrics;
  assert.ok(metrics, 'the app exposes its metrics to the rate limiter');
  metrics.recordRateLimitRejection('ip');
  metrics.recordRateLimitRejection('ip');
  assert.equal(sample(await scrape(), 'gateway_rate_limit_rejections_total{scope="ip"}'), 2);
});

test('metrics stay off the public port by default', async () => {
  const response = await fetch(`${gateway.url}/metrics`);
  assert.equal(response.status, 404);
  const other = await fetch(new URL('/other', gateway.gateway.metricsUrl!));
  assert.equal(other.status, 404);
});

test('metrics on the public port when enabled', async (t) => {
  const port = await closedPort();
  const publicGateway = await startTestGateway({ auth: auth.url, chat: `http://127.0.0.1:${port}` }, { METRICS_ON_PUBLIC_PORT: 'true' });
  t.after(() => publicGateway.close());
  assert.equal(publicGateway.gateway.metricsUrl, null);
  await (await fetch(`${publicGateway.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
  const response = await fetch(`${publicGateway.url}/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  assert.equal(sample(text, 'gateway_upstream_requests_total{upstream="chat",outcome="unavailable"}'), 1);
  assert.equal(sample(text, 'gateway_upstream_errors_total{upstream="chat",kind="unavailable"}'), 1);
});

test('metrics are off without an endpoint', async (t) => {
  const quiet = await startTestGateway({ auth: auth.url, chat: chat.url });
  t.after(() => quiet.close());
  assert.equal(quiet.gateway.app.metrics, null);
  assert.equal(quiet.gateway.metricsUrl, null);
  assert.equal((await fetch(`${quiet.url}/metrics`)).status, 404);
});

test('metrics follow a circuit that opens', async (t) => {
  const port = await closedPort();
  const failing = await startTestGateway(
    { auth: auth.url, chat: `http://127.0.0.1:${port}` },
    { METRICS_PORT: '0', BREAKER_WINDOW_SIZE: '2', BREAKER_MIN_CALLS: '2', BREAKER_FAILURE_RATE: '50', BREAKER_OPEN_MS: '60000', RETRY_MAX_ATTEMPTS: '1' },
  );
  t.after(() => failing.close());
  for (let index = 0; index < 4; index += 1) {
    await (await fetch(`${failing.url}/api/chat/history`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
  }

  const text = await (await fetch(failing.gateway.metricsUrl!)).text();
  assert.equal(sample(text, 'gateway_circuit_breaker_transitions_total{upstream="chat",from="closed",to="open"}'), 1);
  assert.equal(sample(text, 'gateway_circuit_breaker_state{upstream="chat",state="open"}'), 1);
  assert.equal(sample(text, 'gateway_upstream_requests_total{upstream="chat",outcome="unavailable"}'), 2);
  assert.equal(sample(text, 'gateway_upstream_requests_total{upstream="chat",outcome="circuit-open"}'), 2);
  assert.equal(sample(text, 'gateway_upstream_errors_total{upstream="chat",kind="circuit-open"}'), 2);
  assert.equal(sample(text, 'gateway_http_requests_total{route="/api/chat/history",method="GET",status="503"}'), 4);
});

test('metrics record breaker state and transitions', async () => {
  const breaker = { state: 'closed' as CircuitState };
  const upstream = { name: 'auth', breaker, health: { healthy: true } } as unknown as Upstream;
  const metrics = new GatewayMetrics({ upstreams: [upstream], processMetrics: false });
  metrics.recordBreakerTransition('auth', { from: 'closed', to: 'open', at: Date.now(), reason: 'test' });
  breaker.state = 'open';

  const text = await metrics.render();
  assert.equal(sample(text, 'gateway_circuit_breaker_transitions_total{upstream="auth",from="closed",to="open"}'), 1);
  assert.equal(sample(text, 'gateway_circuit_breaker_state{upstream="auth",state="open"}'), 1);
  assert.equal(sample(text, 'gateway_circuit_breaker_state{upstream="auth",state="closed"}'), 0);
  assert.equal(sample(text, 'gateway_upstream_healthy{upstream="auth"}'), 1);
  assert.ok(!text.includes('nodejs_'), 'process metrics were collected although turned off');
});
