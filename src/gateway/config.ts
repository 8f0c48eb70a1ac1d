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
  /** Connections kept per upstream. */
  upstreamConnections: number;
  upstreamConnectTimeoutMs: number;
  /** Time from sending a request to receiving the upstream's response headers. */
  upstreamTimeoutMs: number;
  /** The same for POST /api/chat/message, whose JSON reply waits for the whole generated answer. */
  chatMessageTimeoutMs: number;
  /** Maximum gap between two body chunks of an upstream response; 0 turns the check off. */
  upstreamBodyTimeoutMs: number;
  /** Deadline of each dashboard part, headers and body together. */
  dashboardPartTimeoutMs: number;
  breaker: BreakerSettings;
  healthCheckIntervalMs: number;
  healthCheckTimeoutMs: number;
  /** Verified access tokens kept in memory; 0 verifies every request. */
  tokenCacheSize: number;
  /** Largest request body passed on, checked against Content-Length. */
  bodyLimitBytes: number;
  /** Whether X-Forwarded-* headers from the client are kept and extended instead of replaced. */
  trustForwardedHeaders: boolean;
}

export interface BreakerSettings {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit fails fast before it lets one probe through. */
  openMs: number;
  /** Successful probes in a row that close a half-open circuit. */
  successThreshold: number;
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
  return {
    host: readString(env, 'HOST', '127.0.0.1'),
    port: readPort(env, 'PORT', 4000),
    logLevel: readLogLevel(env),
    authServiceUrl: readOrigin(env, 'AUTH_SERVICE_URL', 'http://127.0.0.1:5000'),
    chatServiceUrl: readOrigin(env, 'CHAT_SERVICE_URL', 'http://127.0.0.1:8000'),
    webRoot: resolve(readString(env, 'WEB_ROOT', resolve(repositoryRoot, 'web/dist'))),
    upstreamConnections: readInteger(env, 'UPSTREAM_CONNECTIONS', 128, { min: 1, max: 10_000 }),
    upstreamConnectTimeoutMs: readInteger(env, 'UPSTREAM_CONNECT_TIMEOUT_MS', 3 * SECOND, { min: 1, max: 60 * SECOND }),
    upstreamTimeoutMs: readInteger(env, 'UPSTREAM_TIMEOUT_MS', 10 * SECOND, { min: 1, max: HOUR }),
    // Above the chat service's default LLM_TIMEOUT_MS of 30 s, so its own timeout error arrives first.
    chatMessageTimeoutMs: readInteger(env, 'CHAT_MESSAGE_TIMEOUT_MS', 35 * SECOND, { min: 1, max: HOUR }),
    upstreamBodyTimeoutMs: readInteger(env, 'UPSTREAM_BODY_TIMEOUT_MS', 60 * SECOND, { min: 0, max: HOUR }),
    dashboardPartTimeoutMs: readInteger(env, 'DASHBOARD_PART_TIMEOUT_MS', 3 * SECOND, { min: 1, max: 60 * SECOND }),
    breaker: {
      failureThreshold: readInteger(env, 'BREAKER_FAILURE_THRESHOLD', 5, { min: 1, max: 10_000 }),
      openMs: readInteger(env, 'BREAKER_OPEN_MS', 10 * SECOND, { min: 1, max: HOUR }),
      successThreshold: readInteger(env, 'BREAKER_SUCCESS_THRESHOLD', 1, { min: 1, max: 100 }),
    },
    healthCheckIntervalMs: readInteger(env, 'HEALTH_CHECK_INTERVAL_MS', 5 * SECOND, { min: 10, max: HOUR }),
    healthCheckTimeoutMs: readInteger(env, 'HEALTH_CHECK_TIMEOUT_MS', SECOND, { min: 1, max: 60 * SECOND }),
    tokenCacheSize: readInteger(env, 'TOKEN_CACHE_SIZE', 10_000, { min: 0, max: 10_000_000 }),
    bodyLimitBytes: readInteger(env, 'BODY_LIMIT_BYTES', 1024 * 1024, { min: 1, max: 1024 * 1024 * 1024 }),
    trustForwardedHeaders: readBoolean(env, 'TRUST_FORWARDED_HEADERS', false),
  };
}
