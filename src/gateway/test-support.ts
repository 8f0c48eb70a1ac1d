/**
 * Helpers for the gateway's tests. Fake upstreams listen on free loopback
 * ports and record what they receive. Access tokens are signed the way the
 * auth service signs them. A log sink lets tests read the gateway's log, and
 * a gateway starts in front of the fakes.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import type { Env } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { TEST_JWT_SECRET } from '../common/test-support.ts';
import { startGateway, type GatewayOptions, type RunningGateway } from './server.ts';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** Handles one request; the body is already read into `recorded.body`. */
export type FakeHandler = (request: IncomingMessage, response: ServerResponse, recorded: RecordedRequest) => void;

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const payload = Buffer.from(JSON.stringify(body));
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length, ...headers });
  response.end(payload);
}

/** Sends the default response: 200 with the request echoed back, and 200 on /health. */
export const echoHandler: FakeHandler = (_request, response, recorded) => {
  if (recorded.url === '/health') return sendJson(response, 200, { status: 'healthy' });
  sendJson(response, 200, { method: recorded.method, url: recorded.url, body: recorded.body.toString('utf8') });
};

/** A node:http server on 127.0.0.1:0 standing in for a service. */
export class FakeUpstream {
  readonly server: Server;
  readonly requests: RecordedRequest[] = [];
  /** Every connection the gateway opened, open or closed. */
  readonly sockets: Socket[] = [];
  handler: FakeHandler;
  port = 0;

  private constructor(handler: FakeHandler) {
    this.handler = handler;
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const recorded: RecordedRequest = {
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          rawHeaders: request.rawHeaders,
          body: Buffer.concat(chunks),
        };
        this.requests.push(recorded);
        this.handler(request, response, recorded);
      });
    });
    this.server.on('connection', (socket) => this.sockets.push(socket));
  }

  static async start(handler: FakeHandler = echoHandler): Promise<FakeUpstream> {
    const upstream = new FakeUpstream(handler);
    await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
    upstream.port = (upstream.server.address() as { port: number }).port;
    return upstream;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Requests other than the gateway's health checks. */
  get calls(): RecordedRequest[] {
    return this.requests.filter((request) => request.url !== '/health');
  }

  /** Stops listening and drops every connection, so the port refuses new ones. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Listens again on the same port after `stop`. */
  async restart(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }
}

/**
 * Sends `request` as written over a new TCP connection and returns every byte
 * received until the server closes it, so tests see the exact framing. The
 * request should carry `Connection: close`.
 */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no end of response within ${timeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(request);
  });
}

/** Splits a raw HTTP response into its header lines, each with its name in lower case. */
export function rawHeaderLines(response: string): string[] {
  return response
    .slice(0, response.indexOf('\r\n\r\n'))
    .split('\r\n')
    .slice(1)
    .map((line) => line.replace(/^([^:]+):/, (name) => name.toLowerCase()));
}

/** Returns a port that refuses connections: bound once by the system, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TokenOptions {
  secret?: string;
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative for a token that has already expired. */
  expiresIn?: number;
  sub?: string;
  username?: string;
  jti?: string;
}

/** Signs an HS256 access token with the claims the auth service puts in one. */
export async function signToken(options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ username: options.username ?? 'ada', sid: randomUUID() })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub ?? randomUUID())
    .setJti(options.jti ?? randomUUID())
    .setIssuedAt(now - 5)
    .setExpirationTime(now + (options.expiresIn ?? 900))
    .setIssuer(options.issuer ?? 'mad-scientist-auth')
    .setAudience(options.audience ?? 'mad-scientist')
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

/** Log lines written by a logger, parsed as JSON. */
export class LogSink extends Writable {
  readonly text: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text.push(chunk.toString('utf8'));
    callback();
  }

  get all(): string {
    return this.text.join('');
  }

  get lines(): Record<string, any>[] {
    return this.all
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line));
  }
}

export interface TestGateway {
  gateway: RunningGateway;
  url: string;
  logs: LogSink;
  close(): Promise<void>;
}

/**
 * Starts a gateway in front of the given upstream URLs with test settings:
 * the test JWT secret, a fresh data folder, no web client, long health
 * intervals, and no request validation or rate limits, unless `env`
 * overrides them. `options` reach startGateway; the logger is always the
 * test's own.
 */
export async function startTestGateway(upstreams: { auth: string; chat: string }, env: Env = {}, options: Omit<GatewayOptions, 'logger'> = {}): Promise<TestGateway> {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'ms-gateway-'));
  const logs = new LogSink();
  const fullEnv: Env = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDirectory,
    JWT_SECRET_KEY: TEST_JWT_SECRET,
    WEB_ROOT: join(dataDirectory, 'no-web-client'),
    AUTH_SERVICE_URL: upstreams.auth,
    CHAT_SERVICE_URL: upstreams.chat,
    HEALTH_CHECK_INTERVAL_MS: '60000',
    // The fake services take any body, and one client sends every request; the security tests turn both back on.
    REQUEST_VALIDATION: 'off',
    RATE_LIMITS: 'off',
    ...env,
  };
  const logger = createLogger({ service: 'gateway', level: 'debug', destination: logs });
  const gateway = await startGateway(fullEnv, { ...options, logger });
  return {
    gateway,
    url: gateway.url,
    logs,
    async close() {
      await gateway.close();
      rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
}
