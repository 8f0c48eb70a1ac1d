import { OutcomeWindow } from './outcome-window.ts';
import type { BreakerSettings } from './resilience-config.ts';

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

function percent(value: number): string {
  return `${Math.round(value * 10) / 10}%`;
}

/**
 * A circuit breaker for one upstream, following resilience4j's count-based
 * breaker. While closed it records the outcome of each call in a sliding
 * window of the last `windowSize` calls. Once the window contains
 * `minimumCalls` outcomes, it opens when the failure rate or the slow-call
 * rate reaches its threshold. Open, it rejects every call for a wait that starts at
 * `openMs` and grows by `openBackoffMultiplier` on each trip until the circuit
 * closes again, up to `maxOpenMs`. Then it lets exactly `halfOpenProbes`
 * calls through (half-open) and rejects the rest at once. One failed or slow
 * probe opens it again, and `halfOpenProbes` successful probes close it.
 *
 * Written here rather than on cockatiel 3.2.1 because there calls that arrive
 * while the half-open probe runs wait for it instead of failing fast, it has
 * no slow-call rate, and the time until half-open (needed for Retry-After) is
 * private. The caller reports each outcome with the ticket that `tryAcquire`
 * returned, so an outcome of a call that started before a transition never
 * changes the new state.
 */
export class CircuitBreaker<Context = unknown> {
  readonly settings: BreakerSettings;
  #state: CircuitState = 'closed';
  /** Advances on every transition; a ticket from an older generation is stale. */
  #generation = 0;
  readonly #window: OutcomeWindow;
  /** Transitions to open since the circuit last closed; sets the length of the wait. */
  #consecutiveOpens = 0;
  #openedAt = 0;
  #openWaitMs = 0;
  #probesStarted = 0;
  #probeSuccesses = 0;
  #totalFailures = 0;
  #totalSlowCalls = 0;
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
    this.#window = new OutcomeWindow(settings.windowSize);
    this.#onTransition = onTransition;
    this.#now = now;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /**
   * Asks to send one call. Returns a ticket to pass to `recordSuccess`,
   * `recordFailure` or `release`, or REJECTED while the circuit is open or
   * all of its half-open probes are taken.
   */
  tryAcquire(context?: Context): number {
    if (this.#state === 'closed') return this.#generation;
    if (this.#state === 'open') {
      if (this.#now() - this.#openedAt < this.#openWaitMs) return this.#reject();
      this.#transition('half-open', `waited ${this.#openWaitMs} ms`, context);
    }
    if (this.#probesStarted >= this.settings.halfOpenProbes) return this.#reject();
    this.#probesStarted += 1;
    return this.#generation;
  }

  /**
   * Records a call that got a reply below 500. `headerTimeMs` is the time
   * from dispatch to its response headers. Null leaves the call out of the
   * slow-call count, for routes whose replies are slow by design.
   */
  recordSuccess(ticket: number, headerTimeMs: number | null, context?: Context): void {
    const slow = headerTimeMs !== null && headerTimeMs > this.settings.slowCallMs;
    if (slow) this.#totalSlowCalls += 1;
    if (ticket !== this.#generation) return;
    if (this.#state === 'closed') {
      this.#window.record(false, slow);
      this.#evaluate(slow ? `a reply after ${Math.round(headerTimeMs!)} ms` : 'success', context);
      return;
    }
    if (slow) {
      this.#transition('open', `probe took ${Math.round(headerTimeMs!)} ms, over ${this.settings.slowCallMs} ms`, context);
      return;
    }
    this.#probeSucceeded(context);
  }

  /** Records a failed call: a 5xx reply, a timeout, a refused or reset connection, an unreadable reply. */
  recordFailure(ticket: number, reason: string, context?: Context): void {
    this.#totalFailures += 1;
    if (ticket !== this.#generation) return;
    if (this.#state === 'closed') {
      this.#window.record(true, false);
      this.#evaluate(reason, context);
      return;
    }
    this.#transition('open', `probe failed: ${reason}`, context);
  }

  /** Gives a ticket back without an outcome, for a call the client cancelled or that never reached the upstream. */
  release(ticket: number): void {
    if (ticket !== this.#generation || this.#state !== 'half-open' || this.#probesStarted === 0) return;
    this.#probesStarted -= 1;
  }

  /**
   * Counts a successful probe made outside user traffic, such as a passing
   * active health check: an open circuit whose wait has passed becomes
   * half-open, and a free probe slot counts as one success. Does nothing
   * while the circuit is closed or still waiting.
   */
  recordProbeSuccess(context?: Context): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'open') {
      if (this.#now() - this.#openedAt < this.#openWaitMs) return;
      this.#transition('half-open', 'health check passed after the wait', context);
    }
    if (this.#probesStarted >= this.settings.halfOpenProbes) return;
    this.#probesStarted += 1;
    this.#probeSucceeded(context);
  }

  /** Counts a failed probe made outside user traffic: a half-open circuit opens again. */
  recordProbeFailure(reason: string, context?: Context): void {
    if (this.#state === 'half-open') this.#transition('open', `health check failed: ${reason}`, context);
  }

  /** Milliseconds until an open circuit lets a probe through; 0 when it is not open or its wait is over. */
  msUntilHalfOpen(): number {
    if (this.#state !== 'open') return 0;
    return Math.max(0, this.#openedAt + this.#openWaitMs - this.#now());
  }

  /** Whole seconds until an open circuit lets a probe through; at least 1, for Retry-After. */
  retryAfterSeconds(): number {
    if (this.#state !== 'open') return 1;
    const remaining = this.#openedAt + this.#openWaitMs - this.#now();
    return Math.max(1, Math.ceil(remaining / 1000));
  }

  /** State and counters for /health. The rates are null until the window contains `minimumCalls` outcomes. */
  snapshot() {
    const window = this.#window;
    const rated = window.calls >= this.settings.minimumCalls;
    const transition = this.#lastTransition;
    return {
      state: this.#state,
      window: {
        size: window.size,
        calls: window.calls,
        failures: window.failures,
        slow_calls: window.slowCalls,
        failure_rate: rated ? Math.round(window.failureRate * 10) / 10 : null,
        slow_call_rate: rated ? Math.round(window.slowCallRate * 10) / 10 : null,
      },
      consecutive_opens: this.#consecutiveOpens,
      open_until: this.#state === 'open' ? new Date(this.#openedAt + this.#openWaitMs).toISOString() : null,
      half_open_probes:
        this.#state === 'half-open'
          ? { permitted: this.settings.halfOpenProbes, started: this.#probesStarted, succeeded: this.#probeSuccesses }
          : null,
      total_failures: this.#totalFailures,
      total_slow_calls: this.#totalSlowCalls,
      total_rejected: this.#totalRejected,
      last_transition: transition
        ? { from: transition.from, to: transition.to, at: new Date(transition.at).toISOString(), reason: transition.reason }
        : null,
    };
  }

  #reject(): number {
    this.#totalRejected += 1;
    return REJECTED;
  }

  /** Opens a closed circuit whose window has enough calls and a rate at or over its threshold. */
  #evaluate(lastOutcome: string, context: Context | undefined): void {
    const window = this.#window;
    const { minimumCalls, failureRatePercent, slowCallRatePercent, slowCallMs } = this.settings;
    if (window.calls < minimumCalls) return;
    if (window.failureRate >= failureRatePercent) {
      const reason = `failure rate ${percent(window.failureRate)} of the last ${window.calls} calls, threshold ${failureRatePercent}%, last: ${lastOutcome}`;
      this.#transition('open', reason, context);
      return;
    }
    if (window.slowCallRate >= slowCallRatePercent) {
      const reason = `${percent(window.slowCallRate)} of the last ${window.calls} calls slower than ${slowCallMs} ms, threshold ${slowCallRatePercent}%`;
      this.#transition('open', reason, context);
    }
  }

  #probeSucceeded(context: Context | undefined): void {
    this.#probeSuccesses += 1;
    if (this.#probeSuccesses >= this.settings.halfOpenProbes) this.#transition('closed', `${this.#probeSuccesses} probes succeeded`, context);
  }

  #transition(to: CircuitState, reason: string, context: Context | undefined): void {
    const transition: CircuitTransition = { from: this.#state, to, at: this.#now(), reason };
    this.#state = to;
    this.#generation += 1;
    this.#probesStarted = 0;
    this.#probeSuccesses = 0;
    // Outcomes from before a transition do not describe the new state (resilience4j resets its metrics too).
    this.#window.clear();
    if (to === 'open') {
      this.#consecutiveOpens += 1;
      const { openMs, maxOpenMs, openBackoffMultiplier } = this.settings;
      this.#openWaitMs = Math.round(Math.min(maxOpenMs, openMs * openBackoffMultiplier ** (this.#consecutiveOpens - 1)));
      this.#openedAt = transition.at;
    }
    if (to === 'closed') this.#consecutiveOpens = 0;
    this.#lastTransition = transition;
    this.#onTransition(transition, context);
  }
}
