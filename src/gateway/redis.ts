/**
 * The gateway's one Redis connection, shared by every store that several
 * gateway replicas must agree on: the revocation list and the rate limiter.
 * Set REDIS_URL to use it; without it each replica keeps that state in its
 * own memory.
 */
import type { Redis } from 'ioredis';
import { ConfigError, readEnum, readInteger, readOptionalString, readString, type Env } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';

/** What a store does while Redis does not respond: serve from local memory (open) or reject with 503 (closed). */
export type RedisFailureMode = 'open' | 'closed';

export interface RedisSettings {
  /** redis:// or rediss:// URL, credentials and database number included. */
  url: string;
  /** Prepended to every key, so several deployments or test runs can share one Redis. */
  keyPrefix: string;
  connectTimeoutMs: number;
  /** A command that takes longer fails, and the store applies its failure policy. */
  commandTimeoutMs: number;
  /** The policy of the revocation check while Redis is unreachable. */
  revocationFailureMode: RedisFailureMode;
}

const KEY_PREFIX_PATTERN = /^[A-Za-z0-9:._{}-]{0,64}$/;

/** Reads REDIS_* settings; returns null when REDIS_URL is unset, so the gateway keeps its state in memory. */
export function readRedisSettings(env: Env): RedisSettings | null {
  const url = readOptionalString(env, 'REDIS_URL');
  if (url === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('REDIS_URL', 'invalid value: expected a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError('REDIS_URL', 'invalid value: expected a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0');
  }
  const keyPrefix = readString(env, 'REDIS_KEY_PREFIX', 'ms:gateway:');
  if (!KEY_PREFIX_PATTERN.test(keyPrefix)) {
    throw new ConfigError('REDIS_KEY_PREFIX', `invalid value "${keyPrefix}": expected up to 64 characters from A-Z a-z 0-9 : . _ { } -`);
  }
  return {
    url,
    keyPrefix,
    connectTimeoutMs: readInteger(env, 'REDIS_CONNECT_TIMEOUT_MS', 2000, { min: 1, max: 60_000 }),
    commandTimeoutMs: readInteger(env, 'REDIS_COMMAND_TIMEOUT_MS', 500, { min: 1, max: 60_000 }),
    revocationFailureMode: readEnum(env, 'REVOCATION_FAILURE_MODE', ['open', 'closed'] as const, 'open'),
  };
}

/** Maximum wait between two reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * A Redis client with the failure behaviour the gateway needs. Commands fail
 * at once while the connection is down instead of queueing (offline queue
 * off), and each command has a timeout. The client reconnects forever, with
 * a backoff capped at 2 s. Losing and regaining the connection is logged
 * once per change. ioredis prefixes keys with `keyPrefix`, in scripts too.
 */
export class RedisConnection {
  readonly client: Redis;
  readonly settings: RedisSettings;
  readonly #logger: Logger;
  readonly #readyListeners: Array<() => void> = [];
  /** Whether the last state logged was "up"; null before the first connection. */
  #up: boolean | null = null;
  #closing = false;

  /**
   * Loads ioredis and creates the connection, which then connects in the
   * background. ioredis is imported here rather than at the top, because a
   * gateway without REDIS_URL never needs it and loading it costs about 10 MB.
   */
  static async open(settings: RedisSettings, logger: Logger): Promise<RedisConnection> {
    const { Redis } = await import('ioredis');
    return new RedisConnection(Redis, settings, logger);
  }

  private constructor(RedisClient: typeof Redis, settings: RedisSettings, logger: Logger) {
    this.settings = settings;
    this.#logger = logger;
    this.client = new RedisClient(settings.url, {
      keyPrefix: settings.keyPrefix,
      connectTimeout: settings.connectTimeoutMs,
      commandTimeout: settings.commandTimeoutMs,
      enableOfflineQueue: false,
      // In-flight commands fail when the connection drops, so a request never waits for a reconnection.
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    });
    this.client.on('ready', () => this.#onReady());
    this.client.on('error', (error: Error) => this.#onError(error));
    this.client.on('close', () => this.#onDown());
  }

  /** Whether commands can be sent now. */
  get available(): boolean {
    return this.client.status === 'ready';
  }

  /** Calls `listener` each time the connection becomes ready, the first time included. */
  onReady(listener: () => void): void {
    this.#readyListeners.push(listener);
  }

  /** Waits until the connection is ready or `timeoutMs` has passed; resolves to whether it is ready. */
  waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.available) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.off('ready', ready);
        resolve(false);
      }, timeoutMs);
      const ready = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.client.once('ready', ready);
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.client.status === 'end') return;
    if (!this.available) {
      this.client.disconnect();
      return;
    }
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  #onReady(): void {
    if (this.#up !== true) this.#logger.info({ redis: redactedUrl(this.settings.url) }, 'redis connection ready');
    this.#up = true;
    for (const listener of this.#readyListeners) listener();
  }

  #onError(error: Error): void {
    // ioredis emits an error for every failed reconnection attempt; only the first of an outage is logged.
    if (this.#up === false || this.#closing) return;
    this.#logger.warn({ redis: redactedUrl(this.settings.url), err: error }, 'redis connection failed; shared state falls back to its failure policy');
    this.#up = false;
  }

  #onDown(): void {
    if (this.#up !== true || this.#closing) return;
    this.#logger.warn({ redis: redactedUrl(this.settings.url) }, 'redis connection lost; shared state falls back to its failure policy');
    this.#up = false;
  }
}

/** Returns the URL with its password masked, for log lines. */
export function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
