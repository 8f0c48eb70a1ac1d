import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../common/errors.ts';
import { requireUser, withMeta } from '../common/http.ts';
import type { AccessTokenClaims, AccessTokenVerifier } from '../common/jwt.ts';
import type { Clock } from './clock.ts';
import type { PasswordHasher } from './passwords.ts';
import {
  checkCsrf,
  clearSessionCookies,
  refreshTokenCookie,
  setSessionCookies,
  wantsCookieDelivery,
  type CookieSettings,
} from './cookies.ts';
import {
  loginBody,
  logoutBody,
  logoutResponse,
  passwordBody,
  profileResponse,
  refreshBody,
  registerBody,
  tokenPairResponse,
} from './schemas.ts';
import { toPublicUser, type SessionIssuer, type TokenPair } from './sessions.ts';
import { isUuid, type AuthStore, type UniqueField } from './store.ts';
import { hashRefreshToken, REFRESH_TOKEN_PATTERN } from './tokens.ts';
import { strictBodyCompiler } from './validation.ts';

export interface AuthRoutesOptions {
  store: AuthStore;
  hasher: PasswordHasher;
  sessions: SessionIssuer;
  verifyAccessToken: AccessTokenVerifier;
  clock: Clock;
  /** Seconds that verifiers accept a token past `exp`; a logged-out token stays listed that much longer. */
  clockToleranceSeconds: number;
  cookies: CookieSettings;
}

interface RegisterBody {
  username: string;
  email: string;
  password: string;
}

interface LoginBody {
  username?: string;
  email?: string;
  password: string;
}

interface RefreshBody {
  refresh_token?: string;
}

interface PasswordBody {
  current_password: string;
  new_password: string;
}

interface LogoutBody {
  refresh_token?: string;
}

/** Token responses must not be stored by caches (RFC 6749, section 5.1). */
const NO_STORE = 'no-store';

function conflictError(fields: UniqueField[]): AppError {
  return new AppError('CONFLICT', `The ${fields.join(' and ')} ${fields.length > 1 ? 'are' : 'is'} already taken.`, {
    details: fields.map((field) => ({ field, message: `this ${field} is already taken` })),
  });
}

function sessionIdOf(claims: AccessTokenClaims): string | undefined {
  return typeof claims.sid === 'string' && isUuid(claims.sid) ? claims.sid : undefined;
}

/** Registers the /auth routes: register, login, refresh, profile, logout and password change. */
export function registerAuthRoutes(app: FastifyInstance, options: AuthRoutesOptions): void {
  const { store, hasher, sessions, clock, cookies } = options;

  /**
   * Sends a token pair. With cookie delivery the refresh token goes into the
   * HttpOnly cookie only, and the body leaves it out, so page scripts never see it.
   */
  function sendPair(request: FastifyRequest, reply: FastifyReply, pair: TokenPair, viaCookie: boolean) {
    reply.header('cache-control', NO_STORE);
    if (!viaCookie) return withMeta(request, pair);
    setSessionCookies(reply, cookies, pair.refresh_token, pair.refresh_expires_in);
    const { refresh_token: _inCookie, ...rest } = pair;
    return withMeta(request, rest);
  }
  const verifyUser = requireUser(options.verifyAccessToken, (claims) => store.isAccessTokenRevoked(claims.jti, sessionIdOf(claims)));

  // Runs as an onRequest hook, so a request without a valid token is rejected before its body is read.
  async function authenticate(request: FastifyRequest): Promise<void> {
    await verifyUser(request);
    if (!isUuid(request.user!.sub)) throw new AppError('UNAUTHORIZED', 'The access token is invalid.');
  }

  app.post(
    '/auth/register',
    { schema: { body: registerBody, response: { 201: tokenPairResponse } }, validatorCompiler: strictBodyCompiler },
    async function register(request, reply) {
      const body = request.body as RegisterBody;
      const email = body.email.toLowerCase();

      // The pre-check avoids hashing for a taken name, and createUser still catches a concurrent registration.
      const takenFields = await store.findConflicts(body.username, email);
      if (takenFields.length > 0) throw conflictError(takenFields);

      const passwordHash = await hasher.hash(body.password);
      const result = await store.createUser({ id: randomUUID(), username: body.username, email, passwordHash, createdAt: new Date(clock()) });
      if (!result.created) throw conflictError(result.conflicts);

      request.log.info({ userId: result.user.id }, 'user registered');
      const pair = await sessions.start(result.user);
      reply.code(201);
      return sendPair(request, reply, pair, wantsCookieDelivery(request));
    },
  );

  app.post(
    '/auth/login',
    { schema: { body: loginBody, response: { 200: tokenPairResponse } }, validatorCompiler: strictBodyCompiler },
    async function login(request, reply) {
      const body = request.body as LoginBody;
      const identifier = [body.username, body.email].map((value) => value?.trim()).find((value) => value);
      if (!identifier) {
        throw new AppError('VALIDATION_FAILED', 'Invalid username: send a username or an email.', {
          details: [{ field: 'username', message: 'a username or an email is required' }],
        });
      }

      const user = await store.findUserByLogin(identifier);
      // An unknown account still costs one Argon2 verification, so timing does not reveal which accounts exist.
      const valid = user ? await hasher.verify(user.passwordHash, body.password) : await hasher.verifyUnknownUser(body.password);
      if (!user || !valid) {
        request.log.info({ reason: user ? 'wrong_password' : 'unknown_user', userId: user?.id }, 'login rejected');
        throw new AppError('INVALID_CREDENTIALS');
      }

      request.log.info({ userId: user.id }, 'user logged in');
      const pair = await sessions.start(user);
      return sendPair(request, reply, pair, wantsCookieDelivery(request));
    },
  );

  app.post(
    '/auth/refresh',
    {
      // Browser clients send no body: the refresh token comes from the cookie.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: { body: refreshBody, response: { 200: tokenPairResponse } },
      validatorCompiler: strictBodyCompiler,
    },
    async function refresh(request, reply) {
      const body = request.body as RefreshBody;
      let token = body.refresh_token;
      let fromCookie = false;
      if (token === undefined) {
        token = refreshTokenCookie(request);
        if (token === undefined) {
          throw new AppError('VALIDATION_FAILED', 'Invalid refresh_token: send it in the body or in the refresh cookie.', {
            details: [{ field: 'refresh_token', message: 'is required in the body or in the ms_refresh cookie' }],
          });
        }
        checkCsrf(request, cookies);
        fromCookie = true;
      }
      let pair: TokenPair;
      try {
        pair = await sessions.refresh(token, request.log);
      } catch (error) {
        // A dead cookie would be sent again on every request, so the browser is told to drop it.
        if (fromCookie) clearSessionCookies(reply, cookies);
        throw error;
      }
      // A token read from the cookie is never returned in a body, where page scripts could read it.
      return sendPair(request, reply, pair, fromCookie || wantsCookieDelivery(request));
    },
  );

  app.get(
    '/auth/profile',
    { onRequest: authenticate, schema: { response: { 200: profileResponse } } },
    async function profile(request, reply) {
      const user = await store.findUserById(request.user!.sub);
      if (!user) throw new AppError('UNAUTHORIZED', 'The account of this access token no longer exists.');
      reply.header('cache-control', NO_STORE);
      return withMeta(request, { user: toPublicUser(user) });
    },
  );

  app.post(
    '/auth/logout',
    {
      onRequest: authenticate,
      // The body is optional: a request without one is treated as `{}`.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: { body: logoutBody, response: { 200: logoutResponse } },
      validatorCompiler: strictBodyCompiler,
    },
    async function logout(request, reply) {
      const claims = request.user!;
      const body = request.body as LogoutBody;
      const familyIds: string[] = [];

      let refreshToken = body.refresh_token;
      const cookieToken = refreshTokenCookie(request);
      if (refreshToken === undefined && cookieToken !== undefined) {
        checkCsrf(request, cookies);
        refreshToken = cookieToken;
      }
      if (cookieToken !== undefined || wantsCookieDelivery(request)) clearSessionCookies(reply, cookies);

      const sessionId = sessionIdOf(claims);
      if (sessionId) familyIds.push(sessionId);
      if (refreshToken !== undefined) {
        const familyId = REFRESH_TOKEN_PATTERN.test(refreshToken)
          ? await store.findFamilyOfToken(hashRefreshToken(refreshToken), claims.sub)
          : undefined;
        if (familyId) familyIds.push(familyId);
        else request.log.info({ userId: claims.sub }, 'logout ignored a refresh token that is unknown or of another user');
      }

      const revoked = await store.logout({
        userId: claims.sub,
        familyIds,
        accessTokenId: claims.jti,
        accessTokenExpiresAt: new Date((claims.exp + options.clockToleranceSeconds) * 1000),
        now: new Date(clock()),
      });
      request.log.info({ userId: claims.sub, revokedFamilies: revoked }, 'user logged out');
      return withMeta(request, { logged_out: true });
    },
  );

  app.post(
    '/auth/password',
    {
      onRequest: authenticate,
      schema: { body: passwordBody, response: { 200: tokenPairResponse } },
      validatorCompiler: strictBodyCompiler,
    },
    async function changePassword(request, reply) {
      const claims = request.user!;
      const body = request.body as PasswordBody;
      const user = await store.findUserById(claims.sub);
      if (!user) throw new AppError('UNAUTHORIZED', 'The account of this access token no longer exists.');

      if (!(await hasher.verify(user.passwordHash, body.current_password))) {
        request.log.info({ userId: user.id, reason: 'wrong_password' }, 'password change rejected');
        throw new AppError('INVALID_CREDENTIALS', 'The current password is incorrect.');
      }
      if (body.new_password === body.current_password) {
        throw new AppError('VALIDATION_FAILED', 'Invalid new_password.', {
          details: [{ field: 'new_password', message: 'must differ from the current password' }],
        });
      }

      const revoked = await store.changePassword({
        userId: user.id,
        passwordHash: await hasher.hash(body.new_password),
        accessTokenId: claims.jti,
        accessTokenExpiresAt: new Date((claims.exp + options.clockToleranceSeconds) * 1000),
        now: new Date(clock()),
      });
      request.log.info({ userId: user.id, revokedFamilies: revoked.length }, 'password changed; every session revoked');

      // Every earlier session has ended, so the caller continues in a new one.
      const pair = await sessions.start(user);
      return sendPair(request, reply, pair, wantsCookieDelivery(request) || refreshTokenCookie(request) !== undefined);
    },
  );
}
