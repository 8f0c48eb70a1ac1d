import type { BreakerSettings } from './config.ts';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitTransition {
  from: CircuitState;
  to: CircuitState;
  /** Epoch milliseconds. */
  at: number;
  reason: string;
}

/** Returned by `tryAcquire` when the circuit rejects the call. */
export const REJECTED = -1;

/**
 * A circuit breaker for one upstream. It opens after `failureThreshold`
 * consecutive failures, fails fast for `openMs`, then lets one probe through
 * (half-open) and closes after `successThreshold` successful probes.
 *
 * Written here rather than on cockatiel 3.2.1, because in that version calls
 * that arrive while the half-open probe runs wait for the probe to finish
 * instead of failing fast, and the time until half-open (needed for
 * Retry-After) is private. The caller reports each outcome with the ticket
 * that `tryAcquire` returned, so an outcome of a call that started before a
 * transition never changes the new state.
 */
export class CircuitBreaker<Context = unknown> {
  readonly settings: BreakerSettings;
  #state: CircuitState = 'closed';
  /** Advances on every transition; a ticket from an older generation is stale. */
  #generation = 0;
  #consecutiveFailures = 0;
  #probeInFlight = false;
  #probeSuccesses = 0;
  #openedAt = 0;
  #totalFailures = 0;
  #totalRejected = 0;
  #lastTransition: CircuitTransition | null = null;
  readonly #onTransition: (transition: CircuitTransition, context: Context | undefined) => void;
  readonly #now: () => number;

  /**
   * `onTransition` hears of every state change, with the `context` (such as
   * the request's logger) of the call that caused it.
   */
  constructor(
    settings: BreakerSettings,
    onTransition: (transition: CircuitTransition, context: Context | undefined) => void = () => {},
    now: () => number = Date.now,
  ) {
    this.settings = settings;
    this.#onTransition = onTransition;
    this.#now = now;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /**
   * Asks to send one call. Returns a ticket to pass to `recordSuccess`,
   * `recordFailure` or `release`, or REJECTED while the circuit is open or
   * its half-open probe is still running.
   */
  tryAcquire(context?: Context): number {
    if (this.#state === 'closed') return this.#generation;
    if (this.#state === 'open') {
      if (this.#now() - this.#openedAt < this.settings.openMs) return this.#reject();
      this.#transition('half-open', 'open period elapsed', context);
    }
    if (this.#probeInFlight) return this.#reject();
    this.#probeInFlight = true;
    return this.#generation;
  }

  /** Records a call that got a deliberate reply from the upstream, such as any 2xx, 3xx or 4xx. */
  recordSuccess(ticket: number, context?: Context): void {
    if (ticket !== this.#generation) return;
    if (this.#state === 'closed') {
      this.#consecutiveFailures = 0;
      return;
    }
    this.#probeInFlight = false;
    this.#probeSuccesses += 1;
    if (this.#probeSuccesses >= this.settings.successThreshold) this.#transition('closed', 'probe succeeded', context);
  }

  /** Records a failed call: a 5xx reply, a timeout, a refused or reset connection, an unreadable reply. */
  recordFailure(ticket: number, reason: string, context?: Context): void {
    this.#totalFailures += 1;
    if (ticket !== this.#generation) return;
    if (this.#state === 'closed') {
      this.#consecutiveFailures += 1;
      if (this.#consecutiveFailures >= this.settings.failureThreshold) {
        this.#transition('open', `${this.#consecutiveFailures} consecutive failures, last: ${reason}`, context);
      }
      return;
    }
    this.#transition('open', `probe failed: ${reason}`, context);
  }

  /** Gives a ticket back without an outcome, for a call the client cancelled or that never reached the upstream. */
  release(ticket: number): void {
    if (ticket !== this.#generation || this.#state !== 'half-open') return;
    this.#probeInFlight = false;
  }

  /** Whole seconds until an open circuit lets a probe through; at least 1, for Retry-After. */
  retryAfterSeconds(): number {
    if (this.#state !== 'open') return 1;
    const remaining = this.#openedAt + this.settings.openMs - this.#now();
    return Math.max(1, Math.ceil(remaining / 1000));
  }

  /** State and counters for /health. */
  snapshot() {
    const transition = this.#lastTransition;
    return {
      state: this.#state,
      failures: this.#consecutiveFailures,
      failure_threshold: this.settings.failureThreshold,
      total_failures: this.#totalFailures,
      total_rejected: this.#totalRejected,
      open_until: this.#state === 'open' ? new Date(this.#openedAt + this.settings.openMs).toISOString() : null,
      last_transition: transition
        ? { from: transition.from, to: transition.to, at: new Date(transition.at).toISOString(), reason: transition.reason }
        : null,
    };
  }

  #reject(): number {
    this.#totalRejected += 1;
    return REJECTED;
  }

  #transition(to: CircuitState, reason: string, context: Context | undefined): void {
    const transition: CircuitTransition = { from: this.#state, to, at: this.#now(), reason };
    this.#state = to;
    this.#generation += 1;
    this.#probeInFlight = false;
    this.#probeSuccesses = 0;
    if (to === 'open') this.#openedAt = transition.at;
    if (to === 'closed') this.#consecutiveFailures = 0;
    this.#lastTransition = transition;
    this.#onTransition(transition, context);
  }
}
