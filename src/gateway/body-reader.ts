import type { ResponseSink, UpstreamCall } from './upstream-call.ts';
import { UpstreamFailure } from './upstream-errors.ts';

function expire(collector: BodyCollector): void {
  collector.call.abort(new UpstreamFailure('timeout', `${collector.call.upstream.name} did not finish its response body in time`));
}

/** Collects a response body in memory, for the gateway's own use of a reply (dashboard parts, health checks). */
class BodyCollector implements ResponseSink {
  readonly call: UpstreamCall;
  readonly promise: Promise<Buffer>;
  readonly #limitBytes: number;
  readonly #timer: NodeJS.Timeout;
  #chunks: Buffer[] = [];
  #size = 0;
  #resolve!: (body: Buffer) => void;
  #reject!: (failure: UpstreamFailure) => void;

  constructor(call: UpstreamCall, limitBytes: number, timeoutMs: number) {
    this.call = call;
    this.#limitBytes = limitBytes;
    this.promise = new Promise<Buffer>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#timer = setTimeout(expire, Math.max(1, timeoutMs), this);
  }

  write(chunk: Buffer): boolean {
    this.#size += chunk.length;
    if (this.#size > this.#limitBytes) {
      this.call.abort(new UpstreamFailure('bad-response', `${this.call.upstream.name} sent a body over ${this.#limitBytes} bytes`));
      return false;
    }
    this.#chunks.push(chunk);
    return true;
  }

  end(): void {
    clearTimeout(this.#timer);
    this.#resolve(Buffer.concat(this.#chunks, this.#size));
  }

  fail(failure: UpstreamFailure): void {
    clearTimeout(this.#timer);
    this.#chunks = [];
    this.#reject(failure);
  }
}

/**
 * Reads the whole body of a call whose headers arrived. Rejects with an
 * UpstreamFailure when the body exceeds `limitBytes` or takes longer than
 * `timeoutMs`; either cancels the upstream request.
 */
export function readBody(call: UpstreamCall, { limitBytes, timeoutMs }: { limitBytes: number; timeoutMs: number }): Promise<Buffer> {
  const collector = new BodyCollector(call, limitBytes, timeoutMs);
  call.pipe(collector);
  return collector.promise;
}
