import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from '../common/logger.ts';

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

export interface MemoryRevocationListOptions {
  clockToleranceSeconds?: number;
  sweepIntervalMs?: number;
  now?: () => number;
  /**
   * A file that keeps the list across restarts: each revocation is appended
   * to it as a JSON line, and the entries still in force are read back when
   * the list is created. One gateway process per file; gateways that share
   * revocations use Redis instead.
   */
  file?: string;
  /** Receives a failure to read or write `file`; the list then goes on in memory. */
  logger?: Pick<Logger, 'error'>;
}

/**
 * A RevocationList in process memory, optionally kept in a file. An entry
 * leaves once its token has expired, counting the clock tolerance the
 * verifier allows past `exp`. A sweep every `sweepIntervalMs` removes such
 * entries, so the list contains at most the logouts of one access-token
 * lifetime.
 */
export class MemoryRevocationList implements RevocationList {
  readonly #expiresAtMs = new Map<string, number>();
  readonly #toleranceMs: number;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;
  readonly #file: string | undefined;
  readonly #logger: Pick<Logger, 'error'> | undefined;

  constructor(options: MemoryRevocationListOptions = {}) {
    this.#toleranceMs = (options.clockToleranceSeconds ?? 0) * 1000;
    this.#now = options.now ?? Date.now;
    this.#file = options.file;
    this.#logger = options.logger;
    if (this.#file !== undefined) this.#load(this.#file);
    this.#sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.#sweeper.unref();
  }

  revoke(jti: string, expiresAt: number): void {
    const expiresAtMs = expiresAt * 1000 + this.#toleranceMs;
    if (expiresAtMs <= this.#now() || this.#expiresAtMs.has(jti)) return;
    this.#expiresAtMs.set(jti, expiresAtMs);
    if (this.#file === undefined) return;
    try {
      appendFileSync(this.#file, `${JSON.stringify({ jti, expiresAtMs })}\n`, { mode: 0o600 });
    } catch (error) {
      this.#logger?.error({ err: error, file: this.#file }, 'could not save a revoked access token; it is refused until this gateway restarts');
    }
  }

  isRevoked(jti: string): boolean {
    const expiresAtMs = this.#expiresAtMs.get(jti);
    if (expiresAtMs === undefined) return false;
    if (expiresAtMs > this.#now()) return true;
    this.#expiresAtMs.delete(jti);
    return false;
  }

  /** Removes entries whose token has expired, from the file too. */
  sweep(): void {
    const now = this.#now();
    const before = this.#expiresAtMs.size;
    for (const [jti, expiresAtMs] of this.#expiresAtMs) if (expiresAtMs <= now) this.#expiresAtMs.delete(jti);
    if (this.#file !== undefined && this.#expiresAtMs.size < before) this.#rewrite(this.#file);
  }

  /** Reads the entries still in force from `file`, then rewrites it with only those. */
  #load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#logger?.error({ err: error, file }, 'could not read the saved revoked access tokens');
      }
      return;
    }
    const now = this.#now();
    for (const line of text.split('\n')) {
      const entry = parseEntry(line);
      if (entry && entry.expiresAtMs > now) this.#expiresAtMs.set(entry.jti, entry.expiresAtMs);
    }
    this.#rewrite(file);
  }

  /** Replaces `file` with the current entries; a rename, so a crash leaves the old file or the new one. */
  #rewrite(file: string): void {
    const lines = [...this.#expiresAtMs].map(([jti, expiresAtMs]) => `${JSON.stringify({ jti, expiresAtMs })}\n`);
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, lines.join(''), { mode: 0o600 });
      renameSync(temporary, file);
    } catch (error) {
      this.#logger?.error({ err: error, file }, 'could not rewrite the saved revoked access tokens');
    }
  }

  get size(): number {
    return this.#expiresAtMs.size;
  }

  close(): void {
    clearInterval(this.#sweeper);
  }
}

/** Parses one line of a revocation file; null for a line that is blank, cut short by a crash, or not an entry. */
function parseEntry(line: string): { jti: string; expiresAtMs: number } | null {
  if (line.trim() === '') return null;
  try {
    const entry = JSON.parse(line) as { jti?: unknown; expiresAtMs?: unknown };
    return typeof entry.jti === 'string' && typeof entry.expiresAtMs === 'number' ? { jti: entry.jti, expiresAtMs: entry.expiresAtMs } : null;
  } catch {
    return null;
  }
}
