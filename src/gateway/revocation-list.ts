/**
 * Access tokens refused before their `exp`, by `jti`. The gateway records a
 * token here after a logout through it succeeds. The in-memory list below
 * serves one gateway process; a shared store such as Redis can implement the
 * same interface so that several gateways agree.
 */
export interface RevocationList {
  /** Refuses the token with this `jti` until `expiresAt` (epoch seconds, the token's `exp`). */
  revoke(jti: string, expiresAt: number): void | Promise<void>;
  isRevoked(jti: string): boolean | Promise<boolean>;
  close(): void | Promise<void>;
}

/**
 * A RevocationList in process memory. An entry leaves once its token has
 * expired, counting the clock tolerance the verifier allows past `exp`. A
 * sweep every `sweepIntervalMs` removes such entries, so the list contains at
 * most the logouts of one access-token lifetime.
 */
export class MemoryRevocationList implements RevocationList {
  readonly #expiresAtMs = new Map<string, number>();
  readonly #toleranceMs: number;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: { clockToleranceSeconds?: number; sweepIntervalMs?: number; now?: () => number } = {}) {
    this.#toleranceMs = (options.clockToleranceSeconds ?? 0) * 1000;
    this.#now = options.now ?? Date.now;
    this.#sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.#sweeper.unref();
  }

  revoke(jti: string, expiresAt: number): void {
    const expiresAtMs = expiresAt * 1000 + this.#toleranceMs;
    if (expiresAtMs > this.#now()) this.#expiresAtMs.set(jti, expiresAtMs);
  }

  isRevoked(jti: string): boolean {
    const expiresAtMs = this.#expiresAtMs.get(jti);
    if (expiresAtMs === undefined) return false;
    if (expiresAtMs > this.#now()) return true;
    this.#expiresAtMs.delete(jti);
    return false;
  }

  /** Removes entries whose token has expired. */
  sweep(): void {
    const now = this.#now();
    for (const [jti, expiresAtMs] of this.#expiresAtMs) if (expiresAtMs <= now) this.#expiresAtMs.delete(jti);
  }

  get size(): number {
    return this.#expiresAtMs.size;
  }

  close(): void {
    clearInterval(this.#sweeper);
  }
}
