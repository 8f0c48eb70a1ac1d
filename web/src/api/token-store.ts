import type { TokenPair } from './types.ts';

/** The part of the Web Storage interface the store uses, so tests can pass a Map-backed one. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const REFRESH_TOKEN_KEY = 'mad-scientist.refresh-token';

/**
 * Holds the session's tokens: the access token in memory only, the refresh
 * token in storage so a reload can start a new access token.
 *
 * NOTE: the refresh token sits in localStorage, where any script on the page
 * can read it. A later change moves it to an HttpOnly cookie set by the
 * gateway, and this store then keeps only the access token.
 */
export class TokenStore {
  #accessToken: string | null = null;
  readonly #storage: KeyValueStorage | null;
  readonly #key: string;

  constructor(storage: KeyValueStorage | null, key = REFRESH_TOKEN_KEY) {
    this.#storage = storage;
    this.#key = key;
  }

  get accessToken(): string | null {
    return this.#accessToken;
  }

  /** Read from storage on every call, because another tab may have rotated it. */
  get refreshToken(): string | null {
    try {
      return this.#storage?.getItem(this.#key) ?? null;
    } catch {
      // Storage can throw when the browser blocks it (private modes, disabled cookies).
      return null;
    }
  }

  /** Stores a new pair; with rotation every refresh returns a new refresh token and the old one is dead. */
  save(pair: Pick<TokenPair, 'access_token' | 'refresh_token'>): void {
    this.#accessToken = pair.access_token;
    try {
      this.#storage?.setItem(this.#key, pair.refresh_token);
    } catch {
      // The session then lasts until the page is closed.
    }
  }

  clear(): void {
    this.#accessToken = null;
    try {
      this.#storage?.removeItem(this.#key);
    } catch {
      // Nothing stored, nothing to remove.
    }
  }
}
