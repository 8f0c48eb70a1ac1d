import type { RetrySettings } from './resilience-config.ts';

/** Buckets the window is split into; a request leaves the window at most one bucket late. */
const BUCKETS = 10;

/**
 * A retry budget for one upstream, in the manner of Finagle's RetryBudget:
 * over the last `budgetWindowMs`, retries may make up `budgetPercent` of the
 * requests plus `budgetMinRetries`. During an outage the retries then add at
 * most that share to the load instead of multiplying it. Counts live in
 * time buckets, so the budget costs two small arrays per upstream.
 */
export class RetryBudget {
  readonly #percent: number;
  readonly #minRetries: number;
  readonly #bucketMs: number;
  readonly #requests = new Uint32Array(BUCKETS);
  readonly #retries = new Uint32Array(BUCKETS);
  /** Absolute index of the newest bucket: milliseconds since the clock's origin divided by `#bucketMs`. */
  #current = 0;
  #totalDenied = 0;
  readonly #now: () => number;

  constructor(settings: Pick<RetrySettings, 'budgetPercent' | 'budgetMinRetries' | 'budgetWindowMs'>, now: () => number = performance.now.bind(performance)) {
    this.#percent = settings.budgetPercent;
    this.#minRetries = settings.budgetMinRetries;
    this.#bucketMs = settings.budgetWindowMs / BUCKETS;
    this.#now = now;
    this.#current = Math.floor(now() / this.#bucketMs);
  }

  /** Counts one original request, never a retry. */
  recordRequest(): void {
    this.#requests[this.#advance()] += 1;
  }

  /** Takes one retry from the budget; false, and nothing taken, when it is spent. */
  tryWithdraw(): boolean {
    const index = this.#advance();
    if (sum(this.#retries) >= this.allowed()) {
      this.#totalDenied += 1;
      return false;
    }
    this.#retries[index] += 1;
    return true;
  }

  /** Retries the current window allows in total, those already made included. */
  allowed(): number {
    this.#advance();
    return Math.floor((sum(this.#requests) * this.#percent) / 100) + this.#minRetries;
  }

  /** Counts for /health. */
  snapshot() {
    const allowed = this.allowed();
    return { requests: sum(this.#requests), retries: sum(this.#retries), allowed, total_denied: this.#totalDenied };
  }

  /** Clears the buckets that time has passed and returns the slot of the current one. */
  #advance(): number {
    const bucket = Math.floor(this.#now() / this.#bucketMs);
    const passed = Math.min(bucket - this.#current, BUCKETS);
    for (let step = 1; step <= passed; step += 1) {
      const slot = (this.#current + step) % BUCKETS;
      this.#requests[slot] = 0;
      this.#retries[slot] = 0;
    }
    if (bucket > this.#current) this.#current = bucket;
    return this.#current % BUCKETS;
  }
}

function sum(values: Uint32Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
