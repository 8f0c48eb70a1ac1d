const FAILED = 1;
const SLOW = 2;

/**
 * A count-based sliding window over the outcomes of the last `size` calls: a
 * ring buffer with running totals that are adjusted when a new outcome
 * replaces the oldest, so recording and reading are O(1).
 */
export class OutcomeWindow {
  readonly size: number;
  readonly #outcomes: Uint8Array;
  #next = 0;
  #calls = 0;
  #failures = 0;
  #slowCalls = 0;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new TypeError(`window size must be a positive integer, got ${size}`);
    this.size = size;
    this.#outcomes = new Uint8Array(size);
  }

  /** Records one call, evicting the oldest once the window is full. */
  record(failed: boolean, slow: boolean): void {
    if (this.#calls === this.size) {
      const evicted = this.#outcomes[this.#next];
      if (evicted & FAILED) this.#failures -= 1;
      if (evicted & SLOW) this.#slowCalls -= 1;
    } else {
      this.#calls += 1;
    }
    const outcome = (failed ? FAILED : 0) | (slow ? SLOW : 0);
    this.#outcomes[this.#next] = outcome;
    if (failed) this.#failures += 1;
    if (slow) this.#slowCalls += 1;
    this.#next = (this.#next + 1) % this.size;
  }

  get calls(): number {
    return this.#calls;
  }

  get failures(): number {
    return this.#failures;
  }

  get slowCalls(): number {
    return this.#slowCalls;
  }

  /** Percentage of recorded calls that failed; 0 when the window is empty. */
  get failureRate(): number {
    return this.#calls === 0 ? 0 : (this.#failures * 100) / this.#calls;
  }

  /** Percentage of recorded calls that were slow; 0 when the window is empty. */
  get slowCallRate(): number {
    return this.#calls === 0 ? 0 : (this.#slowCalls * 100) / this.#calls;
  }

  clear(): void {
    this.#outcomes.fill(0);
    this.#next = 0;
    this.#calls = 0;
    this.#failures = 0;
    this.#slowCalls = 0;
  }
}
