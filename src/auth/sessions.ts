import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../common/errors.ts';
import type { Clock } from './clock.ts';
import type { AuthStore, UserRecord } from './store.ts';
import { createRefreshToken, hashRefreshToken, REFRESH_TOKEN_PATTERN, type AccessTokenSigner } from './tokens.ts';

/** The user object that responses carry: never the password hash. */
export interface PublicUser {
  id: string;
  username: string;
  email: string;
  created_at: string;
}

export interface TokenPair {
  user: PublicUser;
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_expires_in: number;
}

export function toPublicUser(user: UserRecord): PublicUser {
  return { id: user.id, username: user.username, email: user.email, created_at: user.createdAt.toISOString() };
}

/**
 * Issues token pairs. A session is a refresh token family: login starts one,
 * each refresh moves it to a new refresh token, and the access tokens carry
 * its id as `sid`.
 */
export class SessionIssuer {
  readonly #store: AuthStore;
  readonly #signer: AccessTokenSigner;
  readonly #refreshTtlSeconds: number;
  readonly #clock: Clock;

  constructor(store: AuthStore, signer: AccessTokenSigner, refreshTtlSeconds: number, clock: Clock) {
    this.#store = store;
    this.#signer = signer;
    this.#refreshTtlSeconds = refreshTtlSeconds;
    this.#clock = clock;
  }

  /** Starts a new session for `user` and returns its first token pair. */
  async start(user: UserRecord): Promise<TokenPair> {
    const familyId = randomUUID();
    const refreshToken = createRefreshToken();
    const issuedAt = new Date(this.#clock());
    await this.#store.createSession({
      familyId,
      userId: user.id,
      tokenHash: hashRefreshToken(refreshToken),
      issuedAt,
      expiresAt: this.#refreshExpiry(issuedAt),
    });
    return this.#pair(user, familyId, refreshToken);
  }

  /**
   * Exchanges a refresh token for a new pair. Every failure returns the same
   * INVALID_REFRESH_TOKEN to the client, and the log records the reason.
   */
  async refresh(refreshToken: string, log: FastifyBaseLogger): Promise<TokenPair> {
    if (!REFRESH_TOKEN_PATTERN.test(refreshToken)) {
      log.info({ reason: 'malformed' }, 'refresh rejected');
      throw new AppError('INVALID_REFRESH_TOKEN');
    }
    const next = createRefreshToken();
    const now = new Date(this.#clock());
    const result = await this.#store.rotateRefreshToken({
      tokenHash: hashRefreshToken(refreshToken),
      newTokenHash: hashRefreshToken(next),
      now,
      expiresAt: this.#refreshExpiry(now),
    });

    switch (result.status) {
      case 'rotated':
        return this.#pair(result.user, result.familyId, next);
      case 'reused':
        // A token that was already exchanged is presented again: either the
        // client or someone who copied the token is replaying it, so the session ends.
        log.warn({ userId: result.userId, familyId: result.familyId }, 'refresh token reused, session revoked');
        break;
      case 'unknown':
        log.info({ reason: 'unknown' }, 'refresh rejected');
        break;
      default:
        log.info({ reason: result.status, userId: result.userId, familyId: result.familyId }, 'refresh rejected');
    }
    throw new AppError('INVALID_REFRESH_TOKEN');
  }

  #refreshExpiry(from: Date): Date {
    return new Date(from.getTime() + this.#refreshTtlSeconds * 1000);
  }

  async #pair(user: UserRecord, familyId: string, refreshToken: string): Promise<TokenPair> {
    const access = await this.#signer.sign({ userId: user.id, username: user.username, familyId });
    return {
      user: toPublicUser(user),
      access_token: access.token,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: this.#signer.ttlSeconds,
      refresh_expires_in: this.#refreshTtlSeconds,
    };
  }
}
