import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { ConfigError, isProduction, readInteger, readString, type Env } from './config.ts';
import { loadOrCreateSecret } from './data-dir.ts';
import { AppError } from './errors.ts';
import type { Logger } from './logger.ts';

/** Shortest JWT_SECRET_KEY accepted in production: 32 bytes, the HS256 key size (RFC 7518, section 3.2). */
export const MIN_SECRET_LENGTH = 32;

export interface JwtSettings {
  secret: Uint8Array;
  issuer: string;
  audience: string;
  /** Seconds of clock difference tolerated on `exp` and `iat`. */
  clockToleranceSeconds: number;
}

/**
 * Reads the token settings shared by the auth service (which signs) and the
 * gateway and chat service (which verify). Without JWT_SECRET_KEY a
 * development start generates one secret in the data folder, so all three
 * processes agree on it; production refuses to start instead.
 */
export function readJwtSettings(env: Env, dataDirectory: string, logger?: Logger): JwtSettings {
  let secret = env.JWT_SECRET_KEY?.trim();
  if (!secret) {
    if (isProduction(env)) {
      throw new ConfigError('JWT_SECRET_KEY', `missing: set a random secret of at least ${MIN_SECRET_LENGTH} characters when NODE_ENV=production`);
    }
    const generated = loadOrCreateSecret(dataDirectory, 'jwt-secret-key');
    secret = generated.value;
    logger?.warn(
      { variable: 'JWT_SECRET_KEY', created: generated.created },
      'JWT_SECRET_KEY is not set; using a generated development secret from the data folder',
    );
  } else if (secret.length < MIN_SECRET_LENGTH && isProduction(env)) {
    throw new ConfigError('JWT_SECRET_KEY', `too short: expected at least ${MIN_SECRET_LENGTH} characters when NODE_ENV=production`);
  }
  return {
    secret: new TextEncoder().encode(secret),
    issuer: readString(env, 'JWT_ISSUER', 'mad-scientist-auth'),
    audience: readString(env, 'JWT_AUDIENCE', 'mad-scientist'),
    clockToleranceSeconds: readInteger(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 30, { min: 0, max: 300 }),
  };
}

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  username: string;
  jti: string;
  exp: number;
  iat: number;
}

export type AccessTokenVerifier = (token: string) => Promise<AccessTokenClaims>;

/** The only algorithm accepted; the token header never chooses it. */
export const ACCEPTED_ALGORITHMS = ['HS256'];

/** Creates a verifier that checks signature, `exp`, `iss` and `aud`, and the claims the services rely on. */
export function createAccessTokenVerifier(settings: JwtSettings): AccessTokenVerifier {
  return async function verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, settings.secret, {
        algorithms: ACCEPTED_ALGORITHMS,
        issuer: settings.issuer,
        audience: settings.audience,
        clockTolerance: settings.clockToleranceSeconds,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new AppError('TOKEN_EXPIRED', undefined, { cause: error });
      throw new AppError('UNAUTHORIZED', 'The access token is invalid.', { cause: error });
    }
    if (typeof payload.username !== 'string') {
      throw new AppError('UNAUTHORIZED', 'The access token is invalid.');
    }
    return payload as AccessTokenClaims;
  };
}

/** Extracts the token from `Authorization: Bearer <token>`; throws UNAUTHORIZED when absent or malformed. */
export function bearerToken(header: string | undefined): string {
  if (!header) throw new AppError('UNAUTHORIZED', 'The Authorization header with a Bearer access token is missing.');
  const match = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)$/i.exec(header);
  if (!match) throw new AppError('UNAUTHORIZED', 'The Authorization header must be "Bearer <access token>".');
  return match[1];
}
