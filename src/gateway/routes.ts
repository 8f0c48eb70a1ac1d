import type { FastifyInstance, FastifyRequest, HTTPMethods, onRequestHookHandler } from 'fastify';
import { AppError } from '../common/errors.ts';
import type { GatewayConfig } from './config.ts';
import { createDashboardHandler } from './dashboard.ts';
import { createHealthHandler, type HealthMonitor } from './health.ts';
import type { UpstreamHandler } from './pipeline.ts';
import { createProxyHandler, type PathMapping } from './proxy.ts';
import type { RevocationList } from './revocation-list.ts';
import type { Upstream, UpstreamName } from './upstream.ts';

/** One proxied route of the public API. */
export interface ProxyRoute {
  method: HTTPMethods | HTTPMethods[];
  url: string;
  upstream: UpstreamName;
  /** null passes the path unchanged (the legacy routes). */
  mapping: PathMapping | null;
  /** Whether the gateway checks the access token before the request leaves it. */
  token: boolean;
  /** The logout route: a 2xx reply revokes the token at the gateway too. */
  revokesToken?: boolean;
  /** Uses CHAT_MESSAGE_TIMEOUT_MS instead of UPSTREAM_TIMEOUT_MS and UPSTREAM_HEADERS_TIMEOUT_MS for the response headers. */
  slowReply?: boolean;
  /** A check of the route parameters; false returns 404 without calling the upstream. */
  validParams?: (params: Record<string, string>) => boolean;
}

const AUTH: PathMapping = { from: '/api/auth', to: '/auth' };
const CHAT: PathMapping = { from: '/api/chat', to: '/mad-scientist' };
const ALL_METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** Avatar images are named `<id>.svg`; anything else cannot be an avatar and never leaves the gateway. */
const AVATAR_FILE = /^[A-Za-z0-9_-]{1,128}\.svg$/;

/** The public API's proxied routes; see the route table in docs/gateway.md. */
export const PROXY_ROUTES: ProxyRoute[] = [
  { method: 'POST', url: '/api/auth/register', upstream: 'auth', mapping: AUTH, token: false },
  { method: 'POST', url: '/api/auth/login', upstream: 'auth', mapping: AUTH, token: false },
  { method: 'POST', url: '/api/auth/refresh', upstream: 'auth', mapping: AUTH, token: false },
  { method: 'GET', url: '/api/auth/profile', upstream: 'auth', mapping: AUTH, token: true },
  { method: 'POST', url: '/api/auth/logout', upstream: 'auth', mapping: AUTH, token: true, revokesToken: true },
  // A password change ends every session; the gateway revokes the access token that made it.
  { method: 'POST', url: '/api/auth/password', upstream: 'auth', mapping: AUTH, token: true, revokesToken: true },
  { method: 'POST', url: '/api/chat/message', upstream: 'chat', mapping: CHAT, token: true, slowReply: true },
  { method: 'GET', url: '/api/chat/history', upstream: 'chat', mapping: CHAT, token: true },
  { method: 'GET', url: '/api/chat/conversations', upstream: 'chat', mapping: CHAT, token: true },
  { method: ['GET', 'POST'], url: '/api/chat/avatar', upstream: 'chat', mapping: CHAT, token: true },
  {
    method: 'GET',
    url: '/api/chat/avatars/:file',
    upstream: 'chat',
    mapping: CHAT,
    token: false,
    validParams: (params) => AVATAR_FILE.test(params.file),
  },
  // The auth service's public keys, for verifiers outside this deployment; the path is the same on both sides.
  { method: 'GET', url: '/.well-known/jwks.json', upstream: 'auth', mapping: null, token: false },
  // Legacy paths: passed on unchanged, and the service decides about the token, except that the two
  // that end a session are checked here too, so the gateway can revoke the token they carried.
  { method: 'POST', url: '/auth/logout', upstream: 'auth', mapping: null, token: true, revokesToken: true },
  { method: 'POST', url: '/auth/password', upstream: 'auth', mapping: null, token: true, revokesToken: true },
  { method: 'POST', url: '/mad-scientist/message', upstream: 'chat', mapping: null, token: false, slowReply: true },
  { method: ALL_METHODS, url: '/auth/*', upstream: 'auth', mapping: null, token: false },
  { method: ALL_METHODS, url: '/mad-scientist/*', upstream: 'chat', mapping: null, token: false },
];

export interface RouteDependencies {
  config: GatewayConfig;
  upstreams: Record<UpstreamName, Upstream>;
  pipeline: UpstreamHandler;
  authenticate: onRequestHookHandler;
  revocations: RevocationList;
  health: HealthMonitor;
}

function paramCheck(validParams: (params: Record<string, string>) => boolean) {
  return async function checkParams(request: FastifyRequest): Promise<void> {
    if (!validParams(request.params as Record<string, string>)) {
      throw new AppError('NOT_FOUND', `No route matches ${request.method} ${request.url.split('?', 1)[0]}.`);
    }
  };
}

/** Registers the proxied routes, the dashboard and /health. */
export function registerRoutes(app: FastifyInstance, deps: RouteDependencies): void {
  const { config, upstreams, pipeline, authenticate } = deps;

  for (const route of PROXY_ROUTES) {
    const onRequest: onRequestHookHandler[] = [];
    if (route.validParams) onRequest.push(paramCheck(route.validParams));
    if (route.token) onRequest.push(authenticate);
    app.route({
      method: route.method,
      url: route.url,
      // HEAD is proxied as HEAD on the legacy routes, not served by running the GET route.
      exposeHeadRoute: false,
      onRequest,
      handler: createProxyHandler({
        upstream: upstreams[route.upstream],
        pipeline,
        mapping: route.mapping,
        // A generated reply takes long by design: its own deadline and headers timeout, and never a slow call.
        timeoutMs: route.slowReply ? config.chatMessageTimeoutMs : config.upstreams[route.upstream].timeoutMs,
        attemptTimeoutMs: route.slowReply ? config.chatMessageTimeoutMs : undefined,
        slowCallCheck: !route.slowReply,
        bodyLimitBytes: config.bodyLimitBytes,
        trustForwarded: config.trustForwardedHeaders,
        revokeOnSuccess: route.revokesToken ? deps.revocations : undefined,
      }),
    });
  }

  app.get('/api/dashboard', {
    onRequest: authenticate,
    handler: createDashboardHandler({
      upstreams,
      pipeline,
      partTimeoutMs: config.dashboardPartTimeoutMs,
      trustForwarded: config.trustForwardedHeaders,
    }),
  });

  app.get('/health', createHealthHandler(deps.health));
}
