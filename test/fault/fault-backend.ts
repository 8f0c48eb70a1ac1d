/**
 * A controllable backend for the fault-injection tests: an HTTP server on
 * 127.0.0.1:0 that sits between the gateway and a service, or replaces
 * one. For each request it reads the body and records what it saw. Then it
 * acts on the fault the test chose: forward to the real service, reply with a
 * canned status or body, hang, stall after the headers, trickle a stream, or
 * reset the connection. It also records when the gateway closed a request before
 * the response ended, so tests can prove that a cancelled call was closed.
 */
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Fault =
  /** Forwards to the target service, or sends the default reply when there is none. */
  | { kind: 'pass'; delayMs?: number }
  | { kind: 'reply'; status: number; body?: string | Buffer; headers?: Record<string, string | string[]>; delayMs?: number }
  /** Reads the request and never responds. */
  | { kind: 'hang' }
  /** Sends the status line and headers, then nothing. */
  | { kind: 'stall-after-headers'; status?: number; headers?: Record<string, string> }
  /** Resets the connection (TCP RST) after reading the request. */
  | { kind: 'reset' }
  /** Sends the headers and `bytes` of a longer body, then resets the connection. */
  | { kind: 'reset-mid-body'; bytes: number }
  /** Sends `chunks` one every `intervalMs`; with `stallAfter`, stops after that many and never ends. */
  | { kind: 'trickle'; chunks: string[]; intervalMs: number; stallAfter?: number; headers?: Record<string, string> };

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Which connection it came on, numbered from 1 in order of arrival. */
  socketId: number;
  /** performance.now() when the request was fully read. */
  receivedAt: number;
  /** performance.now() when the response ended, or null. */
  finishedAt: number | null;
  /** performance.now() when the gateway closed the connection before the response ended, or null. */
  closedEarlyAt: number | null;
}

type FaultChooser = (request: SeenRequest) => Fault;

/** Chooses `fault` for every request except the gateway's health checks, which pass. */
export function everyCall(fault: Fault | ((request: SeenRequest) => Fault)): FaultChooser {
  return (request) => {
    if (request.url === '/health') return { kind: 'pass' };
    return typeof fault === 'function' ? fault(request) : fault;
  };
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer']);

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length });
  response.end(payload);
}

export class FaultBackend {
  readonly server: Server;
  readonly requests: SeenRequest[] = [];
  readonly #target: URL | null;
  readonly #agent = new Agent({ keepAlive: true });
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #socketCount = 0;
  fault: FaultChooser = () => ({ kind: 'pass' });
  port = 0;

  private constructor(target: string | null) {
    this.#target = target ? new URL(target) : null;
    this.server = createServer((request, response) => this.#handle(request, response));
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (socket) => {
      this.#socketCount += 1;
      (socket as Socket & { faultId?: number }).faultId = this.#socketCount;
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => {});
    });
  }

  /** Starts a backend on a free loopback port, forwarding to `target` when given. */
  static async start(target: string | null = null): Promise<FaultBackend> {
    const backend = new FaultBackend(target);
    await new Promise<void>((resolve) => backend.server.listen(0, '127.0.0.1', resolve));
    backend.port = (backend.server.address() as { port: number }).port;
    return backend;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Requests other than the gateway's health checks. */
  get calls(): SeenRequest[] {
    return this.requests.filter((request) => request.url !== '/health');
  }

  /** Connections from the gateway that are open now. */
  get openSockets(): number {
    return this.#sockets.size;
  }

  /** Stops listening and drops every connection, so the port refuses connections until `accept`. */
  async refuse(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Listens again on the same port after `refuse`. */
  async accept(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Polls until `predicate` holds, for at most `timeoutMs`; returns whether it held. */
  async waitFor(predicate: () => boolean, timeoutMs = 2000): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      if (performance.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return true;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    for (const socket of this.#sockets) socket.destroy();
    this.#agent.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #later(callback: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      callback();
    }, ms);
    this.#timers.add(timer);
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const seen: SeenRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
        socketId: (request.socket as Socket & { faultId?: number }).faultId ?? 0,
        receivedAt: performance.now(),
        finishedAt: null,
        closedEarlyAt: null,
      };
      this.requests.push(seen);
      response.on('finish', () => (seen.finishedAt = performance.now()));
      response.on('close', () => {
        if (!response.writableFinished) seen.closedEarlyAt = performance.now();
      });
      this.#act(this.fault(seen), seen, request, response);
    });
  }

  #act(fault: Fault, seen: SeenRequest, request: IncomingMessage, response: ServerResponse): void {
    switch (fault.kind) {
      case 'pass':
        if (fault.delayMs) return this.#later(() => this.#pass(seen, response), fault.delayMs);
        return this.#pass(seen, response);
      case 'reply': {
        const send = () => {
          if (response.destroyed) return;
          const body = fault.body ?? JSON.stringify({ error: { code: 'INTERNAL_ERROR', message: 'injected' }, meta: { request_id: 'backend' } });
          response.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8', ...fault.headers });
          response.end(body);
        };
        if (fault.delayMs) return this.#later(send, fault.delayMs);
        return send();
      }
      case 'hang':
        return;
      case 'stall-after-headers':
        response.writeHead(fault.status ?? 200, { 'content-type': 'text/plain', ...fault.headers });
        response.flushHeaders();
        return;
      case 'reset':
        request.socket.resetAndDestroy();
        return;
      case 'reset-mid-body':
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(fault.bytes * 10) });
        response.write(Buffer.alloc(fault.bytes, 0x61));
        this.#later(() => request.socket.resetAndDestroy(), 20);
        return;
      case 'trickle':
        return this.#trickle(fault, response);
    }
  }

  #trickle(fault: Extract<Fault, { kind: 'trickle' }>, response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...fault.headers });
    response.flushHeaders();
    const limit = fault.stallAfter ?? fault.chunks.length;
    let sent = 0;
    const next = () => {
      if (response.destroyed) return;
      if (sent === limit) {
        if (limit === fault.chunks.length) response.end();
        return;
      }
      response.write(fault.chunks[sent]);
      sent += 1;
      this.#later(next, fault.intervalMs);
    };
    next();
  }

  #pass(seen: SeenRequest, response: ServerResponse): void {
    if (response.destroyed) return;
    if (!this.#target) {
      if (seen.url === '/health') return sendJson(response, 200, { status: 'healthy' });
      return sendJson(response, 200, { method: seen.method, url: seen.url, body: seen.body.toString('utf8') });
    }
    const headers: Record<string, string | string[] | undefined> = { ...seen.headers, host: this.#target.host };
    for (const name of HOP_BY_HOP) delete headers[name];
    const forward = httpRequest(
      { host: this.#target.hostname, port: this.#target.port, method: seen.method, path: seen.url, headers, agent: this.#agent },
      (reply) => {
        const replyHeaders: string[] = [];
        for (let index = 0; index < reply.rawHeaders.length; index += 2) {
          if (!HOP_BY_HOP.has(reply.rawHeaders[index].toLowerCase())) replyHeaders.push(reply.rawHeaders[index], reply.rawHeaders[index + 1]);
        }
        response.writeHead(reply.statusCode ?? 502, replyHeaders);
        response.flushHeaders();
        reply.pipe(response);
      },
    );
    forward.on('error', () => response.destroy());
    // The gateway went away: stop the service's work too, as a real network would.
    response.on('close', () => {
      if (!response.writableFinished) forward.destroy();
    });
    forward.end(seen.body);
  }
}
