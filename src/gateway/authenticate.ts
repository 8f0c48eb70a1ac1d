import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
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
 * `exp`, refuses revoked ones, and sets `request.user`. A cached token with
 * an in-memory revocation list is checked without a promise, the common
 * case on the hot path.
 */
export function createAuthenticate({ verify, cache, revocations }: AuthenticateOptions) {
  function accept(request: FastifyRequest, claims: AccessTokenClaims, revoked: boolean, done: HookHandlerDoneFunction): void {
    if (revoked) {
      request.log.info({ code: 'TOKEN_REVOKED', userId: claims.sub }, 'access token rejected');
      done(new AppError('TOKEN_REVOKED'));
      return;
    }
    request.user = claims;
    done();
  }

  function checkRevocation(request: FastifyRequest, claims: AccessTokenClaims, done: HookHandlerDoneFunction): void {
    const revoked = revocations.isRevoked(claims.jti);
    if (typeof revoked === 'boolean') {
      accept(request, claims, revoked, done);
      return;
    }
    revoked.then((value) => accept(request, claims, value, done), done);
  }

  function reject(request: FastifyRequest, error: unknown, done: HookHandlerDoneFunction): void {
    request.log.info(rejectionFields(error), 'access token rejected');
    done(error as Error);
  }

  return function authenticate(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    // The cache is keyed by the whole header: a header seen before was parsed and verified then.
    const header = request.headers.authorization;
    const cached = header === undefined ? undefined : cache.get(header);
    if (cached !== undefined) {
      checkRevocation(request, cached, done);
      return;
    }
    let token: string;
    try {
      token = bearerToken(header);
    } catch (error) {
      reject(request, error, done);
      return;
    }
    verify(token).then(
      (claims) => {
        cache.set(header!, claims);
        checkRevocation(request, claims, done);
      },
      (error: unknown) => reject(request, error, done),
    );
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
      const header = request.headers.authorization;
      let claims = header === undefined ? undefined : cache.get(header);
      if (claims === undefined) {
        claims = await verify(bearerToken(header));
        cache.set(header!, claims);
      }
      return (await revocations.isRevoked(claims.jti)) ? undefined : claims;
    } catch {
      return undefined;
    }
  };
}
