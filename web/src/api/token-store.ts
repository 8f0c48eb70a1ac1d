import type { TokenPair } from './types.ts';

/** The part of the Web Storage interface the store uses, so tests can pass a Map-backed one. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The part of `document` the store reads: the cookies page scripts may see. */
export interface CookieSource {
  readonly cookie: string;
}

/** Where older versions of the client kept the refresh token; it is removed on start. */
export const REFRESH_TOKEN_KEY = 'mad-scientist.refresh-token';
/** The readable cookie with the double-submit CSRF token that the auth service sets next to the refresh cookie. */
export const CSRF_COOKIE = 'ms_csrf';

/**
 * Holds the session's tokens. The access token lives in memory only. The
 * refresh token never reaches page scripts: the auth service keeps it in an
 * HttpOnly cookie, which the browser sends to /api/auth by itself. What the
 * page can read is the CSRF cookie, which proves nothing on its own and is
 * copied into X-CSRF-Token on refresh and logout. Its presence also tells a
 * reloaded page that a session may exist.
 */
export class TokenStore {
  #accessToken: string | null = null;
  readonly #cookies: CookieSource | null;

  /** `legacyStorage` is only cleaned: a refresh token an older version stored there is deleted. */
  constructor(cookies: CookieSource | null, legacyStorage: KeyValueStorage | null = null) {
    this.#cookies = cookies;
    try {
      legacyStorage?.removeItem(REFRESH_TOKEN_KEY);
    } catch {
      // Storage can throw when the browser blocks it (private modes, disabled cookies).
    }
  }

  get accessToken(): string | null {
    return this.#accessToken;
  }

  /** The CSRF token, read on every call because another tab may have rotated it; null without a session cookie. */
  get csrfToken(): string | null {
    const cookies = this.#cookies?.cookie ?? '';
    for (const part of cookies.split(';')) {
      const separator = part.indexOf('=');
      if (separator > 0 && part.slice(0, separator).trim() === CSRF_COOKIE) {
        const value = decodeURIComponent(part.slice(separator + 1).trim());
        return value === '' ? null : value;
      }
    }
    return null;
  }

  /** Keeps the access token of a new pair; the refresh token is already in its cookie. */
  save(pair: Pick<TokenPair, 'access_token'>): void {
    this.#accessToken = pair.access_token;
  }

  clear(): void {
    this.#accessToken = null;
  }
}
