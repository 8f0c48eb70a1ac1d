import type { BulkheadSettings } from './resilience-config.ts';
import { UpstreamFailure } from './upstream-errors.ts';

/** The part of a request that a queued call needs: a way to hear that the request was cancelled. */
export interface Cancellable {
  /** Calls `listener` once when the request is cancelled; returns a function that removes it. */
  onCancel(listener: (reason: UpstreamFailure) => void): () => void;
}

interface Waiter {
  resolve(): void;
  reject(failure: UpstreamFailure): void;
  timer: NodeJS.Timeout;
  detach: () => void;
}

/**
 * Caps the calls in flight to one upstream, so a slow upstream ties up at most
 * `maxConcurrent` connections and requests instead of all of them. Past the
 * cap up to `maxQueue` calls wait, first come first served, for at most
 * `queueTimeoutMs`; any further call is rejected at once. Like resilience4j's
 * semaphore bulkhead with a bounded queue.
 */
export class Bulkhead {
  readonly settings: BulkheadSettings;
  readonly #upstream: string;
  #active = 0;
  readonly #queue: Waiter[] = [];
  #totalRejected = 0;

  constructor(settings: BulkheadSettings, upstream: string) {
    this.settings = settings;
    this.#upstream = upstream;
  }

  /** Takes a slot when one is free and no call is queued before this one. */
  tryAcquire(): boolean {
    if (this.#active >= this.settings.maxConcurrent || this.#queue.length > 0) return false;
    this.#active += 1;
    return true;
  }

  /**
   * Waits in the queue for a slot. Rejects with a `bulkhead-full` failure
   * when the queue is full or the wait passes `queueTimeoutMs`, and with the
   * cancel reason when the request is cancelled while it waits.
   */
  acquire(request: Cancellable): Promise<void> {
    if (this.#queue.length >= this.settings.maxQueue) {
      this.#totalRejected += 1;
      return Promise.reject(this.#full(`${this.#upstream} has ${this.#active} calls in flight and ${this.#queue.length} queued`));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#remove(waiter);
          this.#totalRejected += 1;
          reject(this.#full(`no free slot for ${this.#upstream} within ${this.settings.queueTimeoutMs} ms`));
        }, this.settings.queueTimeoutMs),
        detach: () => {},
      };
      waiter.detach = request.onCancel((reason) => {
        this.#remove(waiter);
        reject(reason);
      });
      this.#queue.push(waiter);
    });
  }

  /** Returns a slot; the first queued call takes it over. */
  release(): void {
    const next = this.#queue.shift();
    if (!next) {
      if (this.#active > 0) this.#active -= 1;
      return;
    }
    clearTimeout(next.timer);
    next.detach();
    next.resolve();
  }

  /** Counts for /health. */
  snapshot() {
    return {
      active: this.#active,
      queued: this.#queue.length,
      max_concurrent: this.settings.maxConcurrent,
      max_queue: this.settings.maxQueue,
      total_rejected: this.#totalRejected,
    };
  }

  #remove(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    waiter.detach();
    const index = this.#queue.indexOf(waiter);
    if (index >= 0) this.#queue.splice(index, 1);
  }

  #full(message: string): UpstreamFailure {
    return new UpstreamFailure('bulkhead-full', message, { retryAfterSeconds: 1 });
  }
}
