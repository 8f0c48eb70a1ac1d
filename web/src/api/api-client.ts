import { ApiError } from './api-error.ts';
import type { TokenStore } from './token-store.ts';
import type { TokenPair, User } from './types.ts';

export interface RequestOptions {
  /** Serialised as JSON. */
  body?: unknown;
  /** Whether the route needs the access token; true unless stated. */
  auth?: boolean;
  accept?: string;
  signal?: AbortSignal;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/**
 * Asks the auth service to put the refresh token into its HttpOnly cookie
 * and leave it out of the response body, where page scripts could read it.
 */
export const COOKIE_DELIVERY: Record<string, string> = { 'x-token-delivery': 'cookie' };

/** Runs `work` while holding an exclusive lock of that name, shared by all tabs of the site where the browser allows. */
export type LockRunner = <T>(name: string, work: () => Promise<T>) => Promise<T>;

export interface ApiClientOptions {
  tokens: TokenStore;
  /** Prefix of every path; empty when the page comes from the gateway itself. */
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
  lock?: LockRunner;
}

const REFRESH_LOCK = 'mad-scientist-refresh';

/**
 * Sends requests to the gateway with the access token, and keeps the session
 * alive: with no access token yet (after a reload) or on 401 TOKEN_EXPIRED it
 * refreshes once and retries once. The refresh token travels only in its
 * HttpOnly cookie, with the CSRF token in X-CSRF-Token. One refresh runs at a
 * time, in this tab through a shared promise and across tabs through the Web
 * Locks API, because refresh tokens rotate and a second use of the same one
 * revokes the session.
 */
export class ApiClient {
  readonly tokens: TokenStore;
  /** The user of the latest token pair. */
  user: User | null = null;
  /** Called when the server rejects the refresh token or the session, so the app can show the login form. */
  onSessionEnd: ((error: ApiError) => void) | null = null;
  readonly #baseUrl: string;
  readonly #fetch: typeof globalThis.fetch;
  readonly #lock: LockRunner;
  #refreshing: Promise<TokenPair> | null = null;

  constructor(options: ApiClientOptions) {
    this.tokens = options.tokens;
    this.#baseUrl = options.baseUrl ?? '';
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#lock = options.lock ?? browserLock;
  }

  /** Stores the pair from login, register or refresh. */
  startSession(pair: TokenPair): void {
    this.tokens.save(pair);
    this.user = pair.user;
  }

  endSession(): void {
    this.tokens.clear();
    this.user = null;
  }

  get hasSession(): boolean {
    return this.tokens.accessToken !== null || this.tokens.csrfToken !== null;
  }

  /** Sends a request and returns the parsed JSON body; a non-2xx status throws ApiError. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    return (await readJson(response)) as T;
  }

  /** Sends a request and returns the 2xx response unread; a non-2xx status throws ApiError. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    if (options.auth === false) return ensureOk(await this.#fetchOnce(method, path, options, null));

    const token = this.tokens.accessToken ?? (await this.refresh()).access_token;
    const response = await this.#fetchOnce(method, path, options, token);
    if (response.status !== 401) return ensureOk(response);

    const error = await errorFrom(response);
    if (error.code !== 'TOKEN_EXPIRED') {
      this.#sessionRejected(error);
      throw error;
    }
    // Another request may have refreshed while this one was on the wire; its token is good.
    const current = this.tokens.accessToken;
    const fresh = current && current !== token ? current : (await this.refresh()).access_token;
    const retried = await this.#fetchOnce(method, path, options, fresh);
    if (retried.status === 401) {
      const retryError = await errorFrom(retried);
      this.#sessionRejected(retryError);
      throw retryError;
    }
    return ensureOk(retried);
  }

  /** Sends a request without the access token and returns the response whatever its status. */
  async sendPublic(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    return this.#fetchOnce(method, path, options, null);
  }

  /** Exchanges the refresh cookie for a new pair; concurrent callers share one exchange. */
  refresh(): Promise<TokenPair> {
    this.#refreshing ??= this.#lock(REFRESH_LOCK, () => this.#refreshNow()).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #refreshNow(): Promise<TokenPair> {
    // Read inside the lock: another tab may have rotated the cookies while this one waited.
    const csrfToken = this.tokens.csrfToken;
    if (!csrfToken) {
      const error = new ApiError('UNAUTHORIZED', 'You are not logged in.', { status: 401 });
      this.#sessionRejected(error);
      throw error;
    }
    const response = await this.#fetchOnce('POST', '/api/auth/refresh', { headers: { ...COOKIE_DELIVERY, 'x-csrf-token': csrfToken } }, null);
    if (!response.ok) {
      const error = await errorFrom(response);
      // A 5xx or a network failure leaves the session alone: the refresh token may still be good later.
      if (response.status === 401 || response.status === 400 || response.status === 403) this.#sessionRejected(error);
      throw error;
    }
    const pair = (await readJson(response)) as TokenPair;
    this.startSession(pair);
    return pair;
  }

  #sessionRejected(error: ApiError): void {
    this.endSession();
    this.onSessionEnd?.(error);
  }

  async #fetchOnce(method: string, path: string, options: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    try {
      return await this.#fetch(this.#baseUrl + path, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
        credentials: 'same-origin',
      });
    } catch (cause) {
      if (isAbort(cause)) throw cause;
      throw new ApiError('NETWORK_ERROR', `${method} ${path} failed: the server could not be reached.`, { cause });
    }
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Reads a JSON body; anything else (an HTML error page from a proxy, a cut body) becomes BAD_RESPONSE. */
export async function readJson(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (cause) {
    if (isAbort(cause)) throw cause;
    throw new ApiError('NETWORK_ERROR', 'The connection closed before the response arrived.', { cause, requestId: response.headers.get('x-request-id') });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ApiError('BAD_RESPONSE', `The server returned an unexpected response (HTTP ${response.status}).`, {
      status: response.status,
      requestId: response.headers.get('x-request-id'),
      cause,
    });
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  const headerRequestId = response.headers.get('x-request-id');
  try {
    return ApiError.fromBody(await readJson(response), response.status, headerRequestId);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}

async function ensureOk(response: Response): Promise<Response> {
  if (response.ok) return response;
  throw await errorFrom(response);
}

async function browserLock<T>(name: string, work: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as (Navigator & { locks?: LockManager }) | undefined)?.locks;
  if (!locks) return work();
  return locks.request(name, work);
}
