import type { Redis } from 'ioredis';
import type { Logger } from '../common/logger.ts';
import type { RedisConnection } from './redis.ts';

/** Keys visited per SCAN round while copying the revocations, and the most rounds of one copy. */
const SCAN_COUNT = 1000;
const MAX_SCAN_ROUNDS = 10_000;
const JTI_PATTERN = /^[A-Za-z0-9._:-]{1,256}$/;

/**
 * Keeps every replica's local revocation list in step with the others, so
 * that a logout made elsewhere is rejected here even while Redis is down.
 *
 * - Each revocation written to Redis is published on the channel
 *   `<prefix>revocations` as `<jti> <exp>`, and every replica subscribed on a
 *   connection of its own copies it locally.
 * - Each time either connection becomes ready (at start and after an
 *   outage) and once the subscription is active, the replica copies every
 *   `<prefix>revoked:*` key, which covers the messages it missed meanwhile.
 *
 * Publishing is best effort: a lost message only means the replica asks Redis
 * about that token, as it would without the mirror.
 */
export class RevocationMirror {
  readonly #connection: RedisConnection;
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #onRevocation: (jti: string, expiresAt: number) => void;
  readonly #logger: Logger;
  #copying = false;
  /** Set when a copy is requested while one runs, so that another copy follows it. */
  #copyAgain = false;

  constructor(connection: RedisConnection, onRevocation: (jti: string, expiresAt: number) => void, logger: Logger) {
    this.#connection = connection;
    this.#onRevocation = onRevocation;
    this.#logger = logger;
    this.#channel = `${connection.settings.keyPrefix}revocations`;
    // A connection in subscriber mode cannot send other commands, so it is a second one; ioredis subscribes again after a reconnection.
    this.#subscriber = connection.client.duplicate({ enableOfflineQueue: true });
    // The main connection logs outages; errors of this one would repeat them.
    this.#subscriber.on('error', () => {});
    this.#subscriber.on('message', (_channel: string, message: string) => this.#receive(message));
    this.#subscriber.on('ready', () => this.#requestCopy());
    this.#subscriber.subscribe(this.#channel).then(
      () => this.#requestCopy(),
      (error: unknown) => logger.warn({ err: error }, 'revocation channel subscription failed'),
    );
    connection.onReady(() => this.#requestCopy());
  }

  /** Publishes one revocation to the other replicas; failures are ignored (see the class comment). */
  publish(jti: string, expiresAt: number): void {
    this.#connection.client.publish(this.#channel, `${jti} ${expiresAt}`).catch(() => {});
  }

  /** Copies every revocation stored in Redis into the local list; returns how many it found. */
  async copyAll(): Promise<number> {
    if (!this.#connection.available) return 0;
    this.#copying = true;
    const prefix = this.#connection.settings.keyPrefix;
    const client = this.#connection.client;
    let copied = 0;
    try {
      let cursor = '0';
      for (let round = 0; round < MAX_SCAN_ROUNDS; round += 1) {
        // SCAN patterns and the keys it returns carry the prefix, which ioredis adds to MGET's keys again.
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}revoked:*`, 'COUNT', SCAN_COUNT);
        if (keys.length > 0) {
          const names = keys.map((key) => key.slice(prefix.length));
          const values = await client.mget(...names);
          for (let index = 0; index < names.length; index += 1) {
            const expiresAt = Number(values[index]);
            if (values[index] !== null && Number.isFinite(expiresAt)) {
              this.#onRevocation(names[index].slice('revoked:'.length), expiresAt);
              copied += 1;
            }
          }
        }
        cursor = next;
        if (cursor === '0') break;
      }
    } catch (error) {
      this.#logger.warn({ err: error, copied }, 'revocations could not all be copied from redis');
    } finally {
      this.#copying = false;
    }
    return copied;
  }

  close(): void {
    this.#subscriber.disconnect();
  }

  #requestCopy(): void {
    if (this.#copying) {
      this.#copyAgain = true;
      return;
    }
    void this.copyAll().then(() => {
      if (!this.#copyAgain) return;
      this.#copyAgain = false;
      this.#requestCopy();
    });
  }

  #receive(message: string): void {
    const space = message.indexOf(' ');
    const jti = message.slice(0, space);
    const expiresAt = Number(message.slice(space + 1));
    if (space > 0 && JTI_PATTERN.test(jti) && Number.isInteger(expiresAt)) this.#onRevocation(jti, expiresAt);
  }
}
