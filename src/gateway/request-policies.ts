import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../common/errors.ts';
import type { AccessTokenClaims } from '../common/jwt.ts';
import type { BucketName, RateLimiter } from './rate-limit.ts';
import { isJsonContentType, parseJsonBody, readRequestBody } from './request-body.ts';
import { RouteValidator } from './request-validation.ts';
import { REQUEST_SCHEMAS } from './schemas.ts';
import { hasBody } from './edge/slow-clients.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body, read and validated by the gateway; null when the body streams to the service unread. */
    bufferedBody: Buffer | null;
    /** The account name of a login, whose outcome feeds the login backoff. */
    loginAccount: string | null;
  }
}

/** Auth bodies are a few hundred bytes; the auth service accepts at most 16 KiB. */
const AUTH_BODY_LIMIT_BYTES = 16 * 1024;
/** A 4000-character message fits even when every character is sent as a \uXXXX escape. */
const CHAT_MESSAGE_BODY_LIMIT_BYTES = 64 * 1024;
const AVATAR_BODY_LIMIT_BYTES = 4 * 1024;

type BodyFields = Record<string, unknown> | null;

/** What the gateway checks on one route before the request leaves it. */
export interface RequestPolicy {
  /** The largest body the route takes; bodies of routes with a body schema are read and validated. */
  bodyLimitBytes: number;
  /** Limits counted before the body is read: by client address, or by user where a token identifies one. */
  limits: Array<{ name: BucketName; by: 'ip' | 'user' }>;
  /** Limits counted by the account name found in the validated body. */
  accountLimits?: Array<{ name: BucketName; account: (body: BodyFields) => string | undefined }>;
  /** The route is a login: the account's failed logins slow it down. */
  login?: boolean;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

const loginAccount = (body: BodyFields) => text(body?.username) ?? text(body?.email);
const registeredName = (body: BodyFields) => text(body?.username);

/** The policies by public route, `METHOD /api/...`; the legacy paths map onto the same entries. */
export const REQUEST_POLICIES: Readonly<Record<string, RequestPolicy>> = {
  'POST /api/auth/register': {
    bodyLimitBytes: AUTH_BODY_LIMIT_BYTES,
    limits: [{ name: 'registerPerIp', by: 'ip' }],
    accountLimits: [{ name: 'registerPerAccount', account: registeredName }],
  },
  'POST /api/auth/login': {
    bodyLimitBytes: AUTH_BODY_LIMIT_BYTES,
    limits: [{ name: 'loginPerIp', by: 'ip' }],
    accountLimits: [{ name: 'loginPerAccount', account: loginAccount }],
    login: true,
  },
  'POST /api/auth/refresh': { bodyLimitBytes: AUTH_BODY_LIMIT_BYTES, limits: [{ name: 'refreshPerIp', by: 'ip' }] },
  'POST /api/auth/logout': { bodyLimitBytes: AUTH_BODY_LIMIT_BYTES, limits: [] },
  'POST /api/auth/password': { bodyLimitBytes: AUTH_BODY_LIMIT_BYTES, limits: [{ name: 'passwordPerUser', by: 'user' }] },
  'POST /api/chat/message': { bodyLimitBytes: CHAT_MESSAGE_BODY_LIMIT_BYTES, limits: [{ name: 'chatMessagesPerUser', by: 'user' }] },
  'POST /api/chat/avatar': { bodyLimitBytes: AVATAR_BODY_LIMIT_BYTES, limits: [] },
  'GET /api/chat/history': { bodyLimitBytes: 0, limits: [] },
  'GET /api/chat/conversations': { bodyLimitBytes: 0, limits: [] },
};

/** The checks of one public route. */
interface RouteChecks {
  policy: RequestPolicy | undefined;
  validator: RouteValidator | undefined;
  /** True when the route counts no rate limit, reads no body and tracks no login, so the query check needs no promise. */
  queryOnly: boolean;
}

/** Routes whose body may be absent: refresh and logout read the refresh token from a cookie instead. */
const OPTIONAL_BODY = new Set(['POST /api/auth/refresh', 'POST /api/auth/logout']);

/** Legacy prefixes and the public prefix of the same upstream routes. */
const LEGACY_PREFIXES: Array<[string, string]> = [
  ['/auth/', '/api/auth/'],
  ['/mad-scientist/', '/api/chat/'],
];

/**
 * Returns the public route key of a request, such as `POST /api/auth/login`. A
 * legacy path (`/auth/login`, `/mad-scientist/message`) maps to the public
 * route it reaches, so it cannot be used to dodge the checks. Both the
 * gateway and the services route with find-my-way, which decodes the path
 * the same way, so the decoded wildcard names the upstream route.
 */
export function publicRouteKey(request: FastifyRequest): string | undefined {
  const url = request.routeUrl ?? request.routeOptions.url;
  if (url === undefined) return undefined;
  let path = url;
  if (path.endsWith('/*')) path = path.slice(0, -1) + ((request.params as Record<string, string>)['*'] ?? '');
  for (const [legacy, current] of LEGACY_PREFIXES) {
    if (path.startsWith(legacy)) return `${request.method} ${current}${path.slice(legacy.length)}`;
  }
  return `${request.method} ${path}`;
}

export interface RequestPolicyOptions {
  limiter: RateLimiter;
  /** Whether bodies and query strings are checked; off leaves only the rate limits. */
  validate: boolean;
  /** Maximum pause between two body chunks while the gateway reads a body. */
  bodyIdleTimeoutMs: number;
  /** Verifies a Bearer token without failing, to count legacy requests by user; undefined when absent or invalid. */
  identify: (request: FastifyRequest) => Promise<AccessTokenClaims | undefined>;
}

/** True when the gateway reads this request's body itself, so the edge leaves its idle timer to the body reader. */
export function readsBody(request: FastifyRequest): boolean {
  const key = publicRouteKey(request);
  return key !== undefined && REQUEST_SCHEMAS[key]?.body !== undefined && REQUEST_POLICIES[key] !== undefined;
}

/**
 * Registers the checks that run after authentication and before a request
 * is proxied: rate limits by client address or user, then, for routes with a
 * body schema, reading the body (at most the route's limit), refusing what
 * is not JSON and validating it. The original bytes are then passed on
 * unchanged. Query strings are validated against the route's schema too.
 * Limits by account name come last, since the name is in the body, and a
 * login's outcome feeds the account's backoff when the response completes.
 */
export function registerRequestPolicies(app: FastifyInstance, options: RequestPolicyOptions): void {
  const validators = new Map<string, RouteValidator>();
  if (options.validate) {
    for (const [key, schemas] of Object.entries(REQUEST_SCHEMAS)) validators.set(key, new RouteValidator(schemas));
  }
  // What each route checks, worked out once here rather than on every request.
  const routeChecks = new Map<string, RouteChecks>();
  for (const key of new Set([...Object.keys(REQUEST_POLICIES), ...validators.keys()])) {
    const policy = REQUEST_POLICIES[key];
    const validator = validators.get(key);
    const countsOrReads = policy !== undefined && (policy.limits.length > 0 || policy.accountLimits !== undefined || policy.login === true);
    routeChecks.set(key, { policy, validator, queryOnly: !countsOrReads && !validator?.hasBodySchema });
  }
  const { limiter } = options;

  app.decorateRequest('bufferedBody', null);
  app.decorateRequest('loginAccount', null);

  async function enforce(request: FastifyRequest, key: string, policy: RequestPolicy | undefined, validator: RouteValidator | undefined): Promise<void> {
    let user = request.user;
    if (!user && policy?.limits.some((limit) => limit.by === 'user')) user = await options.identify(request);
    for (const limit of policy?.limits ?? []) {
      const subject = limit.by === 'user' && user ? { kind: 'user' as const, id: user.sub } : { kind: 'ip' as const, address: request.client.address };
      await limiter.take(limit.name, subject, request.log);
    }

    let body: BodyFields = null;
    if (validator?.hasBodySchema && policy) {
      body = await readValidatedBody(request, key, validator, policy, options.bodyIdleTimeoutMs);
    }
    validator?.checkQuery(request.query);

    for (const limit of policy?.accountLimits ?? []) {
      const account = limit.account(body);
      if (account !== undefined) await limiter.take(limit.name, { kind: 'account', name: account }, request.log);
    }
    if (policy?.login) {
      const account = loginAccount(body);
      if (account !== undefined) {
        await limiter.checkLoginBackoff(account, request.log);
        request.loginAccount = account;
      }
    }
  }

  app.addHook('preHandler', function enforceRequestPolicy(request, _reply, done) {
    const key = publicRouteKey(request);
    const checks = key === undefined ? undefined : routeChecks.get(key);
    if (key === undefined || checks === undefined) {
      done();
      return;
    }
    const { policy, validator } = checks;
    if (checks.queryOnly) {
      try {
        validator?.checkQuery(request.query);
      } catch (error) {
        done(error as Error);
        return;
      }
      done();
      return;
    }
    enforce(request, key, policy, validator).then(() => done(), done);
  });

  app.addHook('onResponse', function recordLoginOutcome(request, reply, done) {
    if (request.loginAccount === null) {
      done();
      return;
    }
    limiter.recordLogin(request.loginAccount, reply.statusCode, request.log).then(
      () => done(),
      (error: unknown) => {
        request.log.warn({ err: error }, 'failed to record a login outcome for the login backoff');
        done();
      },
    );
  });
}

async function readValidatedBody(request: FastifyRequest, key: string, validator: RouteValidator, policy: RequestPolicy, idleTimeoutMs: number): Promise<BodyFields> {
  if (!hasBody(request.raw)) {
    if (validator.bodyNullable || OPTIONAL_BODY.has(key)) return null;
    throw new AppError('VALIDATION_FAILED', 'Invalid body.', { details: [{ field: 'body', message: 'is required' }] });
  }
  if (!isJsonContentType(request.headers['content-type'])) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be application/json.', { headers: { connection: 'close' } });
  }
  const raw = await readRequestBody(request.raw, { limitBytes: policy.bodyLimitBytes, idleTimeoutMs });
  const parsed = parseJsonBody(raw);
  validator.checkBody(parsed);
  request.bufferedBody = raw;
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
}
