/**
 * OpenTelemetry export end to end: a gateway with OTEL_EXPORTER_OTLP_ENDPOINT
 * pointing at a fake OTLP/HTTP collector on a free port, in front of the real
 * auth and chat services. The spans that arrive and the services' log lines
 * carry the trace id of the request's traceparent.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { startAuthService } from '../../src/auth/server.ts';
import { startChatService } from '../../src/chat/server.ts';
import { createLogger } from '../../src/common/logger.ts';
import { createTestStorage, type TestStorage } from '../../src/common/test-support.ts';
import { parseTraceparent } from '../../src/common/trace-context.ts';
import { LogSink } from '../../src/gateway/test-support.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
  serviceName: string;
}

/** An OTLP/HTTP collector that keeps every span it receives, from JSON requests to /v1/traces. */
class FakeCollector {
  readonly spans: ExportedSpan[] = [];
  readonly paths: string[] = [];
  readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.paths.push(`${request.method} ${request.url} ${request.headers['content-type']}`);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const resourceSpans of body.resourceSpans ?? []) {
          const serviceName = resourceSpans.resource?.attributes?.find((attribute: { key: string }) => attribute.key === 'service.name')?.value?.stringValue;
          for (const scopeSpans of resourceSpans.scopeSpans ?? []) for (const span of scopeSpans.spans ?? []) this.spans.push({ ...span, serviceName });
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let storage: TestStorage;
let collector: FakeCollector;
let auth: Awaited<ReturnType<typeof startAuthService>>;
let chat: Awaited<ReturnType<typeof startChatService>>;
let gateway: RunningGateway;
const gatewayLogs = new LogSink();
const chatLogs = new LogSink();
const authLogs = new LogSink();

before(async () => {
  storage = createTestStorage('otel');
  collector = new FakeCollector();
  await collector.start();
  [auth, chat] = await Promise.all([
    startAuthService({ ...storage.env, PORT: '0' }, { logger: createLogger({ service: 'auth', level: 'info', destination: authLogs }) }),
    startChatService({ ...storage.env, PORT: '0', PERSONA_STREAM_DELAY_MS: '0' }, { logger: createLogger({ service: 'chat', level: 'info', destination: chatLogs }) }),
  ]);
  gateway = await startGateway(
    {
      ...storage.env,
      PORT: '0',
      AUTH_SERVICE_URL: auth.url,
      CHAT_SERVICE_URL: chat.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'gateway-under-test',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      HEALTH_CHECK_INTERVAL_MS: '60000',
    },
    { logger: createLogger({ service: 'gateway', level: 'info', destination: gatewayLogs }) },
  );
});

after(async () => {
  await gateway?.close();
  await Promise.all([auth?.close(), chat?.close()]);
  await collector?.stop();
  await storage?.cleanup();
});

async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return;
    await new Promise((done) => setTimeout(done, 25));
  }
  assert.fail(`${what} did not happen within ${timeoutMs} ms`);
}

test('spans reach the collector with the request trace id', async () => {
  const username = `otel_${Date.now().toString(36)}`;
  const register = await fetch(`${gateway.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, 'x-request-id': 'otel-register' },
    body: JSON.stringify({ username, email: `${username}@example.com`, password: 'correct horse battery' }),
  });
  assert.equal(register.status, 201);
  const { access_token: token } = (await register.json()) as { access_token: string };

  const history = await fetch(`${gateway.url}/api/chat/history`, {
    headers: { authorization: `Bearer ${token}`, traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, 'x-request-id': 'otel-history' },
  });
  assert.equal(history.status, 200);

  await eventually(() => collector.spans.filter((span) => span.traceId === TRACE_ID).length >= 2, 'two spans of the trace arriving');
  assert.match(collector.paths[0], /^POST \/v1\/traces application\/json/);
  const spans = collector.spans.filter((span) => span.traceId === TRACE_ID);
  const names = spans.map((span) => span.name).sort();
  assert.deepEqual(names, ['GET /api/chat/history', 'POST /api/auth/register']);
  for (const span of spans) {
    assert.equal(span.parentSpanId, PARENT_ID, 'the gateway span is a child of the caller span');
    assert.equal(span.kind, 2, 'a server span');
    assert.equal(span.serviceName, 'gateway-under-test');
  }
  const historySpan = spans.find((span) => span.name === 'GET /api/chat/history')!;
  const status = historySpan.attributes.find((attribute) => attribute.key === 'http.response.status_code');
  assert.equal(Number(status?.value.intValue), 200);

  // Each service logs the same trace id, with the gateway span as the parent it received.
  const chatLine = chatLogs.lines.find((line) => line.reqId === 'otel-history' && line.msg === 'request completed');
  assert.equal(chatLine?.trace_id, TRACE_ID);
  const authLine = authLogs.lines.find((line) => line.reqId === 'otel-register' && line.msg === 'request completed');
  assert.equal(authLine?.trace_id, TRACE_ID);
  const gatewayLine = gatewayLogs.lines.find((line) => line.reqId === 'otel-history' && line.msg === 'request completed');
  assert.equal(gatewayLine?.trace_id, TRACE_ID);
});

test('a request without traceparent starts an exported trace', async () => {
  // A refused request: its access line is logged at info, unlike a passing /health check.
  const response = await fetch(`${gateway.url}/api/auth/profile`, { headers: { 'x-request-id': 'otel-new-trace' } });
  assert.equal(response.status, 401);
  await response.arrayBuffer();
  const line = gatewayLogs.lines.find((entry) => entry.reqId === 'otel-new-trace' && entry.msg === 'request completed');
  assert.ok(line?.trace_id, 'the access line has a trace id');
  assert.ok(parseTraceparent(`00-${line.trace_id}-${PARENT_ID}-01`), 'the trace id is valid');
  await eventually(() => collector.spans.some((span) => span.traceId === line.trace_id), 'the new trace arriving');
  const span = collector.spans.find((entry) => entry.traceId === line.trace_id)!;
  assert.equal(span.parentSpanId, undefined);
  assert.equal(span.name, 'GET /api/auth/profile');
});
