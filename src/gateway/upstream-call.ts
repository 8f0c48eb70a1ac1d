import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { FastifyBaseLogger } from 'fastify';
import { classifyUpstreamError, UpstreamFailure } from './upstream-errors.ts';
import type { Upstream } from './upstream.ts';

/** The consumer of an upstream response body, attached once the headers have been handled. */
export interface ResponseSink {
  /** Takes one chunk; returns false to pause the upstream until the sink calls `call.resume()`. */
  write(chunk: Buffer): boolean;
  end(): void;
  /** The upstream failed or was cancelled after the response headers. */
  fail(failure: UpstreamFailure): void;
}

export interface UpstreamCallInit {
  upstream: Upstream;
  method: string;
  /** Path and query string on the upstream. */
  path: string;
  /** Flat `[name, value, ...]` list. */
  headers: string[];
  body: Readable | null;
  requestId: string;
  log: FastifyBaseLogger;
  /** Deadline for the response headers, in milliseconds. */
  timeoutMs: number;
  /** The client's socket, so a reset caused by the client is not blamed on the upstream. */
  clientSocket?: Socket | null;
}

type Phase = 'new' | 'waiting' | 'headers' | 'streaming' | 'done';

/**
 * One request to one upstream, from dispatch to the end of its response. It is
 * the undici dispatch handler, so no per-request closures are needed: `send`
 * resolves when the response headers arrive, with the body held back until
 * the consumer attaches a sink with `pipe`. Stages read and set its fields.
 */
export class UpstreamCall implements Dispatcher.DispatchHandler {
  readonly upstream: Upstream;
  readonly method: string;
  readonly path: string;
  readonly headers: string[];
  readonly body: Readable | null;
  readonly requestId: string;
  readonly log: FastifyBaseLogger;
  timeoutMs: number;
  readonly clientSocket: Socket | null;

  /** Set when the response headers arrive. */
  statusCode = 0;
  responseHeaders: IncomingHttpHeaders | null = null;
  /** performance.now() when the request was handed to the pool. */
  startedAt = 0;
  /** Milliseconds from dispatch to the response headers. */
  headerTime = -1;
  failure: UpstreamFailure | null = null;

  #phase: Phase = 'new';
  #controller: Dispatcher.DispatchController | null = null;
  #abortReason: UpstreamFailure | null = null;
  #resolve: (() => void) | null = null;
  #reject: ((failure: UpstreamFailure) => void) | null = null;
  #sink: ResponseSink | null = null;
  #pending: Buffer[] | null = null;
  #ended = false;

  constructor(init: UpstreamCallInit) {
    this.upstream = init.upstream;
    this.method = init.method;
    this.path = init.path;
    this.headers = init.headers;
    this.body = init.body;
    this.requestId = init.requestId;
    this.log = init.log;
    this.timeoutMs = init.timeoutMs;
    this.clientSocket = init.clientSocket ?? null;
  }

  /** Dispatches the request; resolves at the response headers and rejects with an UpstreamFailure. */
  send(): Promise<void> {
    if (this.#phase !== 'new') return Promise.reject(new TypeError('an UpstreamCall is sent once'));
    this.#phase = 'waiting';
    this.startedAt = performance.now();
    const promise = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    try {
      // undici's own header timeout is a backstop behind the deadline stage, which cancels the call first.
      const headersTimeout = this.timeoutMs + 1000;
      this.upstream.pool.dispatch({ path: this.path, method: this.method, headers: this.headers, body: this.body, headersTimeout }, this);
    } catch (error) {
      this.#settleFailure(classifyUpstreamError(error, this.upstream.name));
    }
    return promise;
  }

  /** Cancels the call: rejects a pending `send`, fails an attached sink, and closes the upstream request. */
  abort(reason: UpstreamFailure): void {
    if (this.#phase === 'done') return;
    this.#abortReason ??= reason;
    this.#controller?.abort(reason);
    this.#fail(reason);
  }

  /** Attaches the sink for the response body and lets the body flow. */
  pipe(sink: ResponseSink): void {
    if (this.#phase === 'done' && this.failure) {
      sink.fail(this.failure);
      return;
    }
    if (this.#phase !== 'headers') throw new TypeError('pipe() needs a call whose headers arrived and whose body is not attached');
    this.#phase = 'streaming';
    this.#sink = sink;
    const pending = this.#pending;
    this.#pending = null;
    if (pending) for (const chunk of pending) sink.write(chunk);
    if (this.#ended) {
      this.#phase = 'done';
      sink.end();
      return;
    }
    this.#controller?.resume();
  }

  /** Resumes a body paused by a sink whose `write` returned false. */
  resume(): void {
    if (this.#phase === 'streaming') this.#controller?.resume();
  }

  /** Fields for the access-log line. */
  logFields(): Record<string, unknown> {
    return { upstream: this.upstream.name, upstreamStatus: this.statusCode || undefined, upstreamHeaderTime: this.headerTime >= 0 ? this.headerTime : undefined };
  }

  // undici dispatch handler

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // A call cancelled while it waited in the pool's queue is closed as soon as it gets a connection.
    if (this.#abortReason) controller.abort(this.#abortReason);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (this.#phase !== 'waiting') return;
    this.#phase = 'headers';
    this.statusCode = statusCode;
    this.responseHeaders = headers;
    this.headerTime = Math.round((performance.now() - this.startedAt) * 100) / 100;
    // Hold the body until a consumer attaches its sink, so the stages can look at the status first.
    controller.pause();
    const resolve = this.#resolve;
    this.#resolve = this.#reject = null;
    resolve?.();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#phase === 'streaming') {
      if (!this.#sink!.write(chunk)) controller.pause();
      return;
    }
    if (this.#phase === 'headers') (this.#pending ??= []).push(chunk);
  }

  onResponseEnd(): void {
    if (this.#phase === 'streaming') {
      this.#phase = 'done';
      this.#sink!.end();
      return;
    }
    if (this.#phase === 'headers') this.#ended = true;
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#fail(this.#classify(error));
  }

  #classify(error: unknown): UpstreamFailure {
    if (this.#abortReason) return this.#abortReason;
    if (this.clientSocket?.destroyed) {
      return new UpstreamFailure('client-closed', 'the client closed the connection', { cause: error });
    }
    return classifyUpstreamError(error, this.upstream.name);
  }

  #fail(failure: UpstreamFailure): void {
    if (this.#phase === 'done') return;
    if (this.#phase === 'new' || this.#phase === 'waiting') {
      this.#settleFailure(failure);
      return;
    }
    this.#phase = 'done';
    this.failure = failure;
    this.#pending = null;
    this.#sink?.fail(failure);
  }

  #settleFailure(failure: UpstreamFailure): void {
    this.#phase = 'done';
    this.failure = failure;
    const reject = this.#reject;
    this.#resolve = this.#reject = null;
    reject?.(failure);
  }
}
