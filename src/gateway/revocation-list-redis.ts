import { AppError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { RedisConnection, RedisFailureMode } from './redis.ts';
import { RevocationMirror } from './revocation-list-mirror.ts';
import { MemoryRevocationList, type RevocationList } from './revocation-list.ts';

export interface RedisRevocationListOptions {
  connection: RedisConnection;
  /** What `isRevoked` does while Redis does not respond; see the class comment. */
  failureMode: RedisFailureMode;
  clockToleranceSeconds: number;
  logger: Logger;
  /** Copies the other replicas' revocations into the local list as they happen (default true). */
  mirror?: boolean;
  now?: () => number;
}

/** Retry-After, in seconds, of a request that a fail-closed check rejects. */
const FAIL_CLOSED_RETRY_AFTER_SECONDS = '5';
/**
 * How long Redis is left alone after 3 commands in a row failed or timed out.
 * A Redis that hangs without closing the connection would otherwise add the
 * command timeout to every request; instead, one request per second probes
 * it. A single failure does not pause, because a stalled event loop can make
 * one command look timed out although Redis replied.
 */
const PAUSE_AFTER_FAILURES = 3;
const PAUSE_AFTER_FAILURE_MS = 1000;

/**
 * A RevocationList shared by every gateway replica through Redis. Each
 * revoked access token has one key `<prefix>revoked:<jti>` containing its
 * `exp`. The key's TTL is the token's remaining lifetime plus the clock
 * tolerance, so Redis drops it once the token would be rejected as expired.
 *
 * A local MemoryRevocationList is checked first. It holds the revocations
 * made through this replica, those found in Redis, and, through the
 * RevocationMirror, those made through the other replicas. A token is
 * looked up in Redis only until it is known to be revoked.
 *
 * While Redis does not respond (disconnected, a command failed or timed out,
 * or 3 in a row did so less than a second ago):
 * - `revoke` keeps the revocation locally and writes it to Redis once the
 *   connection is ready again; the logout itself still succeeds.
 * - `isRevoked` with failure mode `open` still refuses every locally known
 *   revocation and accepts the rest; with `closed` it throws 503
 *   SERVICE_UNAVAILABLE for every token not known locally.
 * The first failure of an outage is logged at warn and the recovery at info.
 */
export class RedisRevocationList implements RevocationList {
  readonly #connection: RedisConnection;
  readonly #failureMode: RedisFailureMode;
  readonly #local: MemoryRevocationList;
  readonly #toleranceMs: number;
  readonly #logger: Logger;
  readonly #now: () => number;
  /** Revocations that could not be written to Redis yet: jti to `exp`. */
  readonly #unwritten = new Map<string, number>();
  /** Whether the current outage has been logged. */
  #degraded = false;
  #recovering = false;
  /** Until this time (epoch ms), calls skip Redis because several commands just failed. */
  #pausedUntil = 0;
  #consecutiveFailures = 0;
  readonly #mirror: RevocationMirror | null;

  constructor(options: RedisRevocationListOptions) {
    this.#connection = options.connection;
    this.#failureMode = options.failureMode;
    this.#toleranceMs = options.clockToleranceSeconds * 1000;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#local = new MemoryRevocationList({ clockToleranceSeconds: options.clockToleranceSeconds, now: this.#now });
    this.#mirror = options.mirror === false ? null : new RevocationMirror(this.#connection, (jti, expiresAt) => this.#local.revoke(jti, expiresAt), this.#logger);
    this.#connection.onReady(() => {
      this.#pausedUntil = 0;
      this.#consecutiveFailures = 0;
      void this.#recover();
    });
  }

  async revoke(jti: string, expiresAt: number): Promise<void> {
    this.#local.revoke(jti, expiresAt);
    if (!(await this.#write(jti, expiresAt))) this.#unwritten.set(jti, expiresAt);
  }

  async isRevoked(jti: string): Promise<boolean> {
    if (this.#local.isRevoked(jti)) return true;
    if (!this.#usable()) return this.#unavailable(null);
    let value: string | null;
    try {
      value = await this.#connection.client.get(revocationKey(jti));
    } catch (error) {
      this.#noteFailure();
      return this.#unavailable(error);
    }
    this.#noteSuccess();
    if (value === null) return false;
    const expiresAt = Number(value);
    if (Number.isFinite(expiresAt)) this.#local.revoke(jti, expiresAt);
    return true;
  }

  /** Revocations known to this replica without asking Redis. */
  get knownCount(): number {
    return this.#local.size;
  }

  /** Revocations kept only in this replica's memory until Redis is back. */
  get unwrittenCount(): number {
    return this.#unwritten.size;
  }

  close(): void {
    this.#mirror?.close();
    this.#local.close();
  }

  /** Writes one revocation; returns false when Redis did not take it. */
  async #write(jti: string, expiresAt: number): Promise<boolean> {
    const ttlMs = expiresAt * 1000 + this.#toleranceMs - this.#now();
    if (ttlMs <= 0) return true;
    if (!this.#usable()) {
      this.#noteOutage(null);
      return false;
    }
    try {
      await this.#connection.client.set(revocationKey(jti), String(expiresAt), 'PX', Math.ceil(ttlMs));
    } catch (error) {
      this.#noteFailure();
      this.#noteOutage(error);
      return false;
    }
    this.#mirror?.publish(jti, expiresAt);
    this.#noteSuccess();
    return true;
  }

  #noteFailure(): void {
    this.#consecutiveFailures += 1;
    if (this.#consecutiveFailures >= PAUSE_AFTER_FAILURES) this.#pausedUntil = this.#now() + PAUSE_AFTER_FAILURE_MS;
  }

  /** Ends an outage after a command succeeded: writes what was kept locally, then logs the recovery. */
  #noteSuccess(): void {
    this.#consecutiveFailures = 0;
    if (!this.#degraded || this.#recovering) return;
    if (this.#unwritten.size > 0) {
      void this.#recover();
      return;
    }
    this.#degraded = false;
    this.#logger.info('revocation list available again');
  }

  /** Whether a command may be sent: the connection is ready and Redis is not paused after repeated failures. */
  #usable(): boolean {
    return this.#connection.available && this.#now() >= this.#pausedUntil;
  }

  #unavailable(error: unknown): boolean {
    this.#noteOutage(error);
    if (this.#failureMode === 'open') return false;
    throw new AppError('SERVICE_UNAVAILABLE', 'The access token cannot be checked right now; retry later.', {
      headers: { 'retry-after': FAIL_CLOSED_RETRY_AFTER_SECONDS },
      cause: error ?? undefined,
    });
  }

  #noteOutage(error: unknown): void {
    if (this.#degraded) return;
    this.#degraded = true;
    this.#logger.warn(
      { failureMode: this.#failureMode, err: error ?? undefined },
      this.#failureMode === 'open'
        ? 'revocation list unavailable: checking revocations known to this replica only'
        : 'revocation list unavailable: rejecting tokens not known to be valid',
    );
  }

  /** Writes the revocations kept locally during an outage, once Redis responds again. */
  async #recover(): Promise<void> {
    if (this.#recovering) return;
    this.#recovering = true;
    let written = 0;
    try {
      for (const [jti, expiresAt] of [...this.#unwritten]) {
        if (!(await this.#write(jti, expiresAt))) return;
        this.#unwritten.delete(jti);
        written += 1;
      }
    } finally {
      this.#recovering = false;
    }
    if (this.#degraded) {
      this.#degraded = false;
      this.#logger.info({ written }, 'revocation list available again');
    }
  }
}

function revocationKey(jti: string): string {
  return `revoked:${jti}`;
}
