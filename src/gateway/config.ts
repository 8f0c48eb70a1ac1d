import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  readBoolean,
  readHttpUrl,
  readInteger,
  readLogLevel,
  readPort,
  readString,
  type Env,
  type LogLevel,
} from '../common/config.ts';
import {
  readLoadSheddingSettings,
  readShutdownGraceMs,
  readUpstreamSettings,
  rejectRetiredVariables,
  UPSTREAM_PREFIXES,
  type LoadSheddingSettings,
  type UpstreamSettings,
} from './resilience-config.ts';
import { readSecuritySettings, type SecuritySettings } from './security-config.ts';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The gateway's settings, each read from one environment variable (docs/gateway.md lists them). */
export interface GatewayConfig {
  host: string;
  port: number;
  logLevel: LogLevel;
  authServiceUrl: string;
  chatServiceUrl: string;
  /** Folder of the built web client; served at `/` when it exists. */
  webRoot: string;
  /** Timeouts, circuit breaker, bulkhead and retries of each upstream (docs/resilience.md). */
  upstreams: { auth: UpstreamSettings; chat: UpstreamSettings };
  /** Deadline and headers timeout of POST /api/chat/message, whose JSON reply waits for the whole generated answer. */
  chatMessageTimeoutMs: number;
  /** Deadline of each dashboard part, headers and body together. */
  dashboardPartTimeoutMs: number;
  loadShedding: LoadSheddingSettings;
  /** Time in-flight requests get to finish after SIGTERM. */
  shutdownGraceMs: number;
  healthCheckIntervalMs: number;
  healthCheckTimeoutMs: number;
  /** Verified access tokens kept in memory; 0 verifies every request. */
  tokenCacheSize: number;
  /** Largest request body passed on, checked against Content-Length. */
  bodyLimitBytes: number;
  /** Whether X-Forwarded-* headers from the client are kept and extended instead of replaced. */
  trustForwardedHeaders: boolean;
  /** Trusted proxies, CORS, security headers, client limits and rate limits (docs/security.md). */
  security: SecuritySettings;
}

const SECOND = 1000;

/** Reads an upstream URL that is an origin only, because the gateway maps paths itself. */
function readOrigin(env: Env, name: string, fallback: string): string {
  const raw = readHttpUrl(env, name, fallback);
  const url = new URL(raw);
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError(name, 'invalid value: expected an origin such as http://127.0.0.1:5000, without path, query or credentials');
  }
  return url.origin;
}
const HOUR = 3600 * SECOND;

/** Reads and validates the gateway's variables; a bad value throws a ConfigError naming it. */
export function readGatewayConfig(env: Env): GatewayConfig {
  rejectRetiredVariables(env);
  return {
    host: readString(env, 'HOST', '127.0.0.1'),
    port: readPort(env, 'PORT', 4000),
    logLevel: readLogLevel(env),
    authServiceUrl: readOrigin(env, 'AUTH_SERVICE_URL', 'http://127.0.0.1:5000'),
    chatServiceUrl: readOrigin(env, 'CHAT_SERVICE_URL', 'http://127.0.0.1:8000'),
    webRoot: resolve(readString(env, 'WEB_ROOT', resolve(repositoryRoot, 'web/dist'))),
    upstreams: {
      auth: readUpstreamSettings(env, UPSTREAM_PREFIXES.auth),
      chat: readUpstreamSettings(env, UPSTREAM_PREFIXES.chat),
    },
    // Above the chat service's default LLM_TIMEOUT_MS of 30 s, so its own timeout error arrives first.
    chatMessageTimeoutMs: readInteger(env, 'CHAT_MESSAGE_TIMEOUT_MS', 35 * SECOND, { min: 1, max: HOUR }),
    dashboardPartTimeoutMs: readInteger(env, 'DASHBOARD_PART_TIMEOUT_MS', 3 * SECOND, { min: 1, max: 60 * SECOND }),
    loadShedding: readLoadSheddingSettings(env),
    shutdownGraceMs: readShutdownGraceMs(env),
    healthCheckIntervalMs: readInteger(env, 'HEALTH_CHECK_INTERVAL_MS', 5 * SECOND, { min: 10, max: HOUR }),
    healthCheckTimeoutMs: readInteger(env, 'HEALTH_CHECK_TIMEOUT_MS', SECOND, { min: 1, max: 60 * SECOND }),
    tokenCacheSize: readInteger(env, 'TOKEN_CACHE_SIZE', 10_000, { min: 0, max: 10_000_000 }),
    bodyLimitBytes: readInteger(env, 'BODY_LIMIT_BYTES', 1024 * 1024, { min: 1, max: 1024 * 1024 * 1024 }),
    trustForwardedHeaders: readBoolean(env, 'TRUST_FORWARDED_HEADERS', false),
    security: readSecuritySettings(env),
  };
}
