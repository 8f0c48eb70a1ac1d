import type { Logger } from '../common/logger.ts';
import type { Clock } from './clock.ts';
import type { AuthStore, SweepResult } from './store.ts';

/** Interval of the sweep. Hourly is enough because every check also compares the expiry, so expired rows only take space. */
export const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Deletes expired refresh tokens, families and revoked access tokens on a timer, and once at start. */
export class ExpiredRowSweeper {
  readonly #store: AuthStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  #timer?: NodeJS.Timeout;
  #running?: Promise<unknown>;

  constructor(store: AuthStore, clock: Clock, logger: Logger, intervalMs = SWEEP_INTERVAL_MS) {
    this.#store = store;
    this.#clock = clock;
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#sweepLogged(), this.#intervalMs);
    // The timer alone must not keep the process alive.
    this.#timer.unref();
    void this.#sweepLogged();
  }

  /** Stops the timer and waits for a sweep in progress, so the database can close after it. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  async sweep(): Promise<SweepResult> {
    return this.#store.deleteExpired(new Date(this.#clock()));
  }

  #sweepLogged(): Promise<unknown> {
    if (this.#running) return this.#running;
    this.#running = this.sweep()
      .then((deleted) => {
        if (deleted.families + deleted.refreshTokens + deleted.accessTokens > 0) {
          this.#logger.info({ deleted }, 'expired tokens deleted');
        }
      })
      .catch((err: unknown) => this.#logger.warn({ err }, 'deleting expired tokens failed, retrying at the next interval'))
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }
}
