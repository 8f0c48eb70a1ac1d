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

/** A slot taken from a bulkhead, given back once when the attempt holding it ends. */
export interface Permit {
  release(): void;
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
  /** Deadline of the whole call to its response headers, queueing, every attempt and backoff included, in milliseconds. */
  timeoutMs: number;
  /** Time from dispatching one attempt to its response headers; the upstream's UPSTREAM_HEADERS_TIMEOUT_MS when left out. */
  attemptTimeoutMs?: number;
  /** Whether the circuit breaker may count a slow reply as slow; false for routes whose replies are slow by design. */
  slowCallCheck?: boolean;
  /** The client's socket, so a reset caused by the client is not blamed on the upstream. */
  clientSocket?: Socket | null;
}

type Phase = 'waiting' | 'headers' | 'streaming' | 'done';

/**
 * One request to one upstream, from the first dispatch to the end of its
 * response, over one or more attempts. `send` dispatches an attempt and
 * resolves when its response headers arrive, with the body held back until
 * the consumer attaches a sink with `pipe`, so every stage can read the
 * status first. Stages read and set its fields.
 *
 * `abort` cancels the whole call: the running attempt, a wait in a queue or
 * a backoff, and any later `send`. `abortAttempt` ends only the running
 * attempt, for a per-attempt timeout or a reply dropped for a retry.
 */
export class UpstreamCall {
  readonly upstream: Upstream;
  readonly method: string;
  readonly path: string;
  readonly headers: string[];
  readonly body: Readable | null;
  readonly requestId: string;
  readonly log: FastifyBaseLogger;
  timeoutMs: number;
  attemptTimeoutMs: number;
  readonly slowCallCheck: boolean;
  readonly clientSocket: Socket | null;

  /** performance.now() by which the response headers must have arrived; set by the deadline stage. */
  deadlineAt = Number.POSITIVE_INFINITY;
  /** Attempts dispatched so far. */
  attempts = 0;
  /** Set when the response headers of the current attempt arrive. */
  statusCode = 0;
  responseHeaders: IncomingHttpHeaders | null = null;
  /** performance.now() when the current attempt was dispatched. */
  startedAt = 0;
  /** Milliseconds from dispatching the current attempt to its response headers. */
  headerTime = -1;
  failure: UpstreamFailure | null = null;

  #attempt: UpstreamAttempt | null = null;
  #cancelReason: UpstreamFailure | null = null;
  #cancelListeners: Array<(reason: UpstreamFailure) => void> | null = null;
  #permit: Permit | null = null;

  constructor(init: UpstreamCallInit) {
    this.upstream = init.upstream;
    this.method = init.method;
    this.path = init.path;
    this.headers = init.headers;
    this.body = init.body;
    this.requestId = init.requestId;
    this.log = init.log;
    this.timeoutMs = init.timeoutMs;
    this.attemptTimeoutMs = init.attemptTimeoutMs ?? init.upstream.settings.headersTimeoutMs;
    this.slowCallCheck = init.slowCallCheck ?? true;
    this.clientSocket = init.clientSocket ?? null;
  }

  /** The reason the call was cancelled, or null. */
  get cancelled(): UpstreamFailure | null {
    return this.#cancelReason;
  }

  /** Milliseconds left until the deadline; infinite before the deadline stage has set it. */
  remainingMs(): number {
    return this.deadlineAt - performance.now();
  }

  /**
   * Dispatches one attempt; resolves at its response headers and rejects
   * with an UpstreamFailure. A call whose last attempt failed or was aborted
   * may be sent again, a cancelled one never.
   */
  send(): Promise<void> {
    if (this.#cancelReason) {
      this.releasePermit();
      return Promise.reject(this.#cancelReason);
    }
    if (this.#attempt && !this.#attempt.done) return Promise.reject(new TypeError('send() needs the previous attempt to have ended'));
    this.attempts += 1;
    this.statusCode = 0;
    this.responseHeaders = null;
    this.headerTime = -1;
    this.failure = null;
    this.startedAt = performance.now();
    const attempt = new UpstreamAttempt(this);
    this.#attempt = attempt;
    try {
      // undici's own header timeout is a backstop behind the attempt timeout stage, which cancels the call first.
      const headersTimeout = Math.max(0, Math.ceil(Math.min(this.attemptTimeoutMs, this.remainingMs()))) + 1000;
      const options: Dispatcher.DispatchOptions = { path: this.path, method: this.method, headers: this.headers, body: this.body, headersTimeout };
      this.upstream.pool.dispatch(options, attempt);
    } catch (error) {
      attempt.fail(classifyUpstreamError(error, this.upstream.name));
    }
    return attempt.promise;
  }

  /** Cancels the whole call: the running attempt, any wait, and every later attempt. The first reason wins. */
  abort(reason: UpstreamFailure): void {
    if (this.#cancelReason) return;
    this.#cancelReason = reason;
    const listeners = this.#cancelListeners;
    this.#cancelListeners = null;
    if (listeners) for (const listener of listeners) listener(reason);
    this.#attempt?.abort(reason);
  }

  /** Ends the running attempt only; the call may be sent again. */
  abortAttempt(reason: UpstreamFailure): void {
    this.#attempt?.abort(reason);
  }

  /** Calls `listener` once if the call is cancelled; returns a function that removes it. */
  onCancel(listener: (reason: UpstreamFailure) => void): () => void {
    if (this.#cancelReason) {
      listener(this.#cancelReason);
      return () => {};
    }
    const listeners = (this.#cancelListeners ??= []);
    listeners.push(listener);
    return () => {
      const index = listeners.indexOf(listener);
      if (index >= 0) listeners.splice(index, 1);
    };
  }

  /** Waits `ms` milliseconds, or rejects with the cancel reason as soon as the call is cancelled. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        detach();
        resolve();
      }, ms);
      const detach = this.onCancel((reason) => {
        clearTimeout(timer);
        reject(reason);
      });
    });
  }

  /** Hands the next attempt a bulkhead slot, given back when that attempt ends. */
  holdPermit(permit: Permit): void {
    this.releasePermit();
    this.#permit = permit;
  }

  /** Gives the slot back; safe to call more than once. */
  releasePermit(): void {
    const permit = this.#permit;
    this.#permit = null;
    permit?.release();
  }

  /** Attaches the sink for the response body of the current attempt and lets the body flow. */
  pipe(sink: ResponseSink): void {
    if (!this.#attempt) throw new TypeError('pipe() needs a call that was sent');
    this.#attempt.pipe(sink);
  }

  /** Resumes a body paused by a sink whose `write` returned false. */
  resume(): void {
    this.#attempt?.resume();
  }

  /** Fields for the access-log line. */
  logFields(): Record<string, unknown> {
    return {
      upstream: this.upstream.name,
      upstreamStatus: this.statusCode || undefined,
      upstreamHeaderTime: this.headerTime >= 0 ? this.headerTime : undefined,
      upstreamAttempts: this.attempts > 1 ? this.attempts : undefined,
    };
  }

  /** Called by the current attempt when its response headers arrive. */
  headersArrived(statusCode: number, headers: IncomingHttpHeaders): void {
    this.statusCode = statusCode;
    this.responseHeaders = headers;
    this.headerTime = Math.round((performance.now() - this.startedAt) * 100) / 100;
  }

  /** Called once by each attempt when it ends, however it ends. */
  attemptEnded(attempt: UpstreamAttempt, failure: UpstreamFailure | null): void {
    if (attempt !== this.#attempt) return;
    if (failure) this.failure = failure;
    this.releasePermit();
  }
}

/**
 * One dispatch of an UpstreamCall: the undici dispatch handler of that
 * attempt. Each attempt is its own handler, so a late callback from an
 * attempt that was aborted while it waited for a connection cannot touch the
 * next attempt's state.
 */
export class UpstreamAttempt implements Dispatcher.DispatchHandler {
  readonly promise: Promise<void>;
  readonly #call: UpstreamCall;
  #phase: Phase = 'waiting';
  #controller: Dispatcher.DispatchController | null = null;
  #abortReason: UpstreamFailure | null = null;
  #failure: UpstreamFailure | null = null;
  #resolve: (() => void) | null = null;
  #reject: ((failure: UpstreamFailure) => void) | null = null;
  #sink: ResponseSink | null = null;
  #pending: Buffer[] | null = null;
  #ended = false;

  constructor(call: UpstreamCall) {
    this.#call = call;
    this.promise = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  /** Closes the attempt's upstream request; its connection is closed too. */
  abort(reason: UpstreamFailure): void {
    if (this.#phase === 'done') return;
    this.#abortReason ??= reason;
    this.#controller?.abort(reason);
    this.fail(reason);
  }

  pipe(sink: ResponseSink): void {
    if (this.#phase === 'done' && this.#failure) {
      sink.fail(this.#failure);
      return;
    }
    if (this.#phase !== 'headers') throw new TypeError('pipe() needs a call whose headers arrived and whose body is not attached');
    this.#phase = 'streaming';
    this.#sink = sink;
    const pending = this.#pending;
    this.#pending = null;
    if (pending) for (const chunk of pending) sink.write(chunk);
    if (this.#ended) {
      this.#finish(null);
      sink.end();
      return;
    }
    this.#controller?.resume();
  }

  resume(): void {
    if (this.#phase === 'streaming') this.#controller?.resume();
  }

  /** Ends the attempt with `failure`: rejects a pending `send`, or fails an attached sink. */
  fail(failure: UpstreamFailure): void {
    if (this.#phase === 'done') return;
    const phase = this.#phase;
    this.#failure = failure;
    this.#pending = null;
    this.#finish(failure);
    if (phase === 'waiting') {
      const reject = this.#reject;
      this.#resolve = this.#reject = null;
      reject?.(failure);
      return;
    }
    this.#sink?.fail(failure);
  }

  // undici dispatch handler

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // An attempt aborted while it waited in the pool's queue is closed as soon as it gets a connection.
    if (this.#abortReason) controller.abort(this.#abortReason);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (this.#phase !== 'waiting') return;
    this.#phase = 'headers';
    this.#call.headersArrived(statusCode, headers);
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
      this.#finish(null);
      this.#sink!.end();
      return;
    }
    if (this.#phase === 'headers') this.#ended = true;
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(this.#classify(error));
  }

  #classify(error: unknown): UpstreamFailure {
    if (this.#abortReason) return this.#abortReason;
    if (this.#call.clientSocket?.destroyed) {
      return new UpstreamFailure('client-closed', 'the client closed the connection', { cause: error });
    }
    return classifyUpstreamError(error, this.#call.upstream.name);
  }

  #finish(failure: UpstreamFailure | null): void {
    this.#phase = 'done';
    this.#call.attemptEnded(this, failure);
  }
}
