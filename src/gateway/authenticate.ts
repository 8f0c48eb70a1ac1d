import type { FastifyRequest } from 'fastify';
import { AppError } from '../common/errors.ts';
import { bearerToken, type AccessTokenClaims, type AccessTokenVerifier } from '../common/jwt.ts';
import type { RevocationList } from './revocation-list.ts';
import type { TokenCache } from './token-cache.ts';

export interface AuthenticateOptions {
  verify: AccessTokenVerifier;
  cache: TokenCache;
  revocations: RevocationList;
}

/** Picks the log fields of a rejected token: the registry code, and the jose error code and claim that failed. */
function rejectionFields(error: unknown): Record<string, unknown> {
  const cause = (error as { cause?: { code?: unknown; claim?: unknown; reason?: unknown } }).cause;
  return { code: (error as AppError).code, tokenError: cause?.code, claim: cause?.claim, claimCheck: cause?.reason };
}

/**
 * Builds the edge stage that checks the access token on routes that need one,
 * as a Fastify onRequest hook, so a rejected request never reaches a body
 * parser or an upstream. It verifies locally (signature, alg, exp, iss, aud)
 * with no call to the auth service, caches verified tokens until their
 * `exp`, refuses revoked ones, and sets `request.user`.
 */
export function createAuthenticate({ verify, cache, revocations }: AuthenticateOptions) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    let claims: AccessTokenClaims | undefined;
    try {
      const token = bearerToken(request.headers.authorization);
      claims = cache.get(token);
      if (claims === undefined) {
        claims = await verify(token);
        cache.set(token, claims);
      }
    } catch (error) {
      request.log.info(rejectionFields(error), 'access token rejected');
      throw error;
    }
    if (await revocations.isRevoked(claims.jti)) {
      request.log.info({ code: 'TOKEN_REVOKED', userId: claims.sub }, 'access token rejected');
      throw new AppError('TOKEN_REVOKED');
    }
    request.user = claims;
  };
}

/**
 * Builds a check that identifies the user of a request without rejecting it:
 * the claims of a valid, unrevoked Bearer token, or undefined. Rate limits
 * use it on the legacy paths, where the service, not the gateway, decides
 * about the token, so a request with a token counts against its user.
 */
export function createIdentify({ verify, cache, revocations }: AuthenticateOptions) {
  return async function identify(request: FastifyRequest): Promise<AccessTokenClaims | undefined> {
    try {
      const token = bearerToken(request.headers.authorization);
      let claims = cache.get(token);
      if (claims === undefined) {
        claims = await verify(token);
        cache.set(token, claims);
      }
      return (await revocations.isRevoked(claims.jti)) ? undefined : claims;
    } catch {
      return undefined;
    }
  };
}
