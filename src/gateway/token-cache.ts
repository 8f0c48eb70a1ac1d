import { LRUCache } from 'lru-cache';
import type { AccessTokenClaims } from '../common/jwt.ts';

/**
 * Verified access tokens, each kept until its `exp`, keyed by the whole
 * Authorization header that carried it, so a hit needs no parsing either. A
 * hit skips the HMAC check and the claim checks; revocation is still checked
 * on every request. The least recently used entry goes first when
 * `maxEntries` is reached.
 */
export class TokenCache {
  readonly #cache: LRUCache<string, AccessTokenClaims> | null;
  readonly #now: () => number;

  constructor(maxEntries: number, now: () => number = Date.now) {
    this.#cache = maxEntries > 0 ? new LRUCache({ max: maxEntries }) : null;
    this.#now = now;
  }

  get(key: string): AccessTokenClaims | undefined {
    return this.#cache?.get(key);
  }

  set(key: string, claims: AccessTokenClaims): void {
    const ttl = claims.exp * 1000 - this.#now();
    if (ttl > 0) this.#cache?.set(key, claims, { ttl });
  }

  get size(): number {
    return this.#cache?.size ?? 0;
  }
}
