import { createHash, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { JwtSettings } from '../common/jwt.ts';
import type { Clock } from './clock.ts';

export interface AccessTokenSubject {
  userId: string;
  username: string;
  /** The refresh token family of the session, sent as the `sid` claim so logout can find it. */
  familyId: string;
}

export interface SignedAccessToken {
  token: string;
  jti: string;
  expiresAt: Date;
}

/** The key that signs the next token: the HS256 secret, or the current Ed25519 key with its kid. */
export interface SigningKeySource {
  current(): { kid: string; privateKey: KeyObject };
}

/**
 * Signs access tokens with the settings the gateway and the chat service
 * verify against: HS256 with the shared secret, or EdDSA with the key ring's
 * current key, whose `kid` goes into the header.
 */
export class AccessTokenSigner {
  readonly #settings: JwtSettings;
  readonly #ttlSeconds: number;
  readonly #clock: Clock;
  readonly #keys: SigningKeySource | undefined;

  constructor(settings: JwtSettings, ttlSeconds: number, clock: Clock, keys?: SigningKeySource) {
    if ((settings.mode ?? 'hs256') === 'eddsa' && !keys) throw new TypeError('AccessTokenSigner needs a key source in eddsa mode');
    if ((settings.mode ?? 'hs256') === 'hs256' && !settings.secret) throw new TypeError('AccessTokenSigner needs settings.secret in hs256 mode');
    this.#settings = settings;
    this.#ttlSeconds = ttlSeconds;
    this.#clock = clock;
    this.#keys = (settings.mode ?? 'hs256') === 'eddsa' ? keys : undefined;
  }

  get ttlSeconds(): number {
    return this.#ttlSeconds;
  }

  async sign(subject: AccessTokenSubject): Promise<SignedAccessToken> {
    const issuedAt = Math.floor(this.#clock() / 1000);
    const expiresAt = issuedAt + this.#ttlSeconds;
    const jti = randomUUID();
    const jwt = new SignJWT({ username: subject.username, sid: subject.familyId })
      .setSubject(subject.userId)
      .setIssuer(this.#settings.issuer)
      .setAudience(this.#settings.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(jti);
    let token: string;
    if (this.#keys) {
      const key = this.#keys.current();
      token = await jwt.setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: key.kid }).sign(key.privateKey);
    } else {
      token = await jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(this.#settings.secret!);
    }
    return { token, jti, expiresAt: new Date(expiresAt * 1000) };
  }
}

/** Size of a refresh token before encoding: 256 random bits. */
export const REFRESH_TOKEN_BYTES = 32;

/** The form of a refresh token: 32 bytes in unpadded base64url are 43 characters. */
export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Creates an opaque refresh token. Only its hash is stored, so the token exists only on the client. */
export function createRefreshToken(): string {
  return randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
}

/**
 * Hashes a refresh token for storage and look-up. A plain SHA-256 suffices:
 * the token carries 256 random bits, so nothing can be guessed from the hash.
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
