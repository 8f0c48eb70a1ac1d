/**
 * The stack the attack suites aim at: the real auth and chat services and
 * the gateway, each on a free loopback port in this process, with a recording
 * tap between the gateway and each service. A tap is a small HTTP forwarder
 * that keeps every request it passes on, so a test can assert what a service
 * received, or that it received nothing. Every process writes its log to a
 * sink the test can search.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAuthService, type RunningService } from '../../src/auth/server.ts';
import { startChatService } from '../../src/chat/server.ts';
import type { Env } from '../../src/common/config.ts';
import { createLogger } from '../../src/common/logger.ts';
import { createTestStorage, type TestStorage } from '../../src/common/test-support.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { LogSink } from '../../src/gateway/test-support.ts';

export interface TappedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** A forwarder on 127.0.0.1:0 that records each request before passing it to `target`. */
export class RecordingTap {
  readonly requests: TappedRequest[] = [];
  readonly #server: Server;
  readonly #target: URL;
  port = 0;

  private constructor(target: string) {
    this.#target = new URL(target);
    this.#server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        this.requests.push({ method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, rawHeaders: incoming.rawHeaders, body });
        const forwarded = httpRequest(
          { host: this.#target.hostname, port: this.#target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
          (response) => {
            outgoing.writeHead(response.statusCode ?? 502, response.rawHeaders);
            response.pipe(outgoing);
          },
        );
        forwarded.on('error', () => outgoing.destroy());
        forwarded.end(body);
      });
    });
  }

  static async start(target: string): Promise<RecordingTap> {
    const tap = new RecordingTap(target);
    await new Promise<void>((resolve) => tap.#server.listen(0, '127.0.0.1', resolve));
    tap.port = (tap.#server.address() as { port: number }).port;
    return tap;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Requests other than the gateway's health checks. */
  get calls(): TappedRequest[] {
    return this.requests.filter((request) => request.url !== '/health' && !request.url.startsWith('/.well-known/'));
  }

  clear(): void {
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export interface AttackStack {
  gateway: RunningGateway;
  auth: RunningService;
  chat: RunningService;
  authTap: RecordingTap;
  chatTap: RecordingTap;
  logs: { gateway: LogSink; auth: LogSink; chat: LogSink };
  env: Env;
  url: string;
  /** Requests that reached either service, health checks aside. */
  backendCalls(): TappedRequest[];
  clearTaps(): void;
  close(): Promise<void>;
}

export interface AttackStackOptions {
  /** Variables for all three processes. */
  env?: Env;
  /** Variables for the gateway only, such as rate limits. */
  gatewayEnv?: Env;
}

/**
 * Starts auth and chat services on fresh storage, a tap in front of each,
 * and a gateway in front of the taps, with the gateway's security defaults:
 * validation and rate limits on unless `gatewayEnv` changes them.
 */
export async function startAttackStack(label: string, options: AttackStackOptions = {}): Promise<AttackStack> {
  const storage: TestStorage = createTestStorage(`attack${label}`);
  const logs = { gateway: new LogSink(), auth: new LogSink(), chat: new LogSink() };
  const env: Env = { ...storage.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'trace', PERSONA_STREAM_DELAY_MS: '0', ...options.env };
  const logger = (service: 'gateway' | 'auth' | 'chat') => createLogger({ service, level: 'trace', destination: logs[service] });

  const auth = await startAuthService(env, { logger: logger('auth') });
  const authTap = await RecordingTap.start(auth.url);
  // The chat service fetches the auth service's keys in eddsa mode, directly, not through the tap.
  const chat = await startChatService({ ...env, AUTH_SERVICE_URL: auth.url }, { logger: logger('chat') });
  const chatTap = await RecordingTap.start(chat.url);
  const webRoot = mkdtempSync(join(tmpdir(), 'ms-attack-web-'));
  const gateway = await startGateway(
    {
      ...env,
      AUTH_SERVICE_URL: authTap.url,
      CHAT_SERVICE_URL: chatTap.url,
      // The key set comes from the auth service itself, so the taps record only proxied requests.
      JWT_JWKS_URL: `${auth.url}/.well-known/jwks.json`,
      WEB_ROOT: join(webRoot, 'none'),
      HEALTH_CHECK_INTERVAL_MS: '60000',
      ...options.gatewayEnv,
    },
    { logger: logger('gateway') },
  );

  return {
    gateway,
    auth,
    chat,
    authTap,
    chatTap,
    logs,
    env,
    url: gateway.url,
    backendCalls: () => [...authTap.calls, ...chatTap.calls],
    clearTaps() {
      authTap.clear();
      chatTap.clear();
    },
    async close() {
      await gateway.close();
      await Promise.all([authTap.stop(), chatTap.stop()]);
      await Promise.all([auth.close(), chat.close()]);
      await storage.cleanup();
      rmSync(webRoot, { recursive: true, force: true });
    },
  };
}

/** Starts one more gateway in front of the same taps, such as a second replica sharing Redis. */
export async function startExtraGateway(stack: AttackStack, gatewayEnv: Env): Promise<{ gateway: RunningGateway; logs: LogSink }> {
  const logs = new LogSink();
  const gateway = await startGateway(
    {
      ...stack.env,
      AUTH_SERVICE_URL: stack.authTap.url,
      CHAT_SERVICE_URL: stack.chatTap.url,
      JWT_JWKS_URL: `${stack.auth.url}/.well-known/jwks.json`,
      WEB_ROOT: join(stack.env.DATA_DIR!, 'no-web-client'),
      HEALTH_CHECK_INTERVAL_MS: '60000',
      ...gatewayEnv,
    },
    { logger: createLogger({ service: 'gateway', level: 'trace', destination: logs }) },
  );
  return { gateway, logs };
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** Sends a JSON request to the gateway and parses the JSON answer. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: the test sees the text.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

let counter = 0;

/** A registration body no other test of this process uses. */
export function newAccount(prefix = 'mal'): { username: string; email: string; password: string } {
  counter += 1;
  const suffix = `${process.pid}_${counter}_${Date.now().toString(36)}`;
  return { username: `${prefix}_${suffix}`.slice(0, 32), email: `${prefix}.${suffix}@example.com`, password: `pw-${suffix}-Xq9!` };
}

/** Registers a new account through the gateway and returns its token pair and password. */
export async function registerUser(stack: AttackStack, prefix = 'mal') {
  const account = newAccount(prefix);
  const response = await call(stack.url, 'POST', '/api/auth/register', { body: account });
  if (response.status !== 201) throw new Error(`registration failed with ${response.status}: ${JSON.stringify(response.body)}`);
  return { account, pair: response.body as { user: { id: string }; access_token: string; refresh_token: string } };
}

export interface RawExchange {
  /** Everything the server sent until it closed the connection or the timeout passed. */
  response: string;
  /** Whether the server closed the connection. */
  closed: boolean;
  /** Milliseconds from the first byte written to the close, or to the timeout. */
  elapsedMs: number;
}

/**
 * Writes `parts` over one TCP connection, pausing `gapMs` between them, and
 * collects the answer until the server closes or `timeoutMs` passes. A
 * trickling client is several parts with gaps.
 */
export function rawExchange(port: number, parts: Array<string | Buffer>, options: { gapMs?: number; timeoutMs?: number } = {}): Promise<RawExchange> {
  const { gapMs = 0, timeoutMs = 5000 } = options;
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const started = performance.now();
    let closed = false;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ response: Buffer.concat(chunks).toString('latin1'), closed, elapsedMs: performance.now() - started });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {
      closed = true;
      finish();
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.once('connect', async () => {
      for (const [index, part] of parts.entries()) {
        if (index > 0 && gapMs > 0) await new Promise((next) => setTimeout(next, gapMs));
        if (socket.destroyed) return;
        socket.write(part);
      }
    });
  });
}

/** The status code of the first response in a raw exchange, or 0 when there is none. */
export function statusOf(response: string): number {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(response);
  return match ? Number(match[1]) : 0;
}

/** The JSON body of the first raw response. */
export function rawJsonBody(response: string): any {
  const start = response.indexOf('\r\n\r\n');
  return JSON.parse(response.slice(start + 4));
}
