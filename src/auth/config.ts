import { join, resolve } from 'node:path';
import {
  ConfigError,
  isProduction,
  readBoolean,
  readDatabaseUrl,
  readInteger,
  readLogLevel,
  readPort,
  readSchemaName,
  readString,
  type Env,
  type LogLevel,
} from '../common/config.ts';
import { dataDirectory, loadOrCreateSecret } from '../common/data-dir.ts';
import { MIN_SECRET_LENGTH, readJwtSettings, type JwtSettings } from '../common/jwt.ts';
import type { Logger } from '../common/logger.ts';
import type { CookieSettings } from './cookies.ts';

export const DEFAULT_PORT = 5000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_SCHEMA = 'auth';
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;

/** Bounds of ACCESS_TOKEN_TTL_SECONDS: an access token cannot be recalled by the gateway or chat, so it stays short. */
export const ACCESS_TOKEN_TTL_RANGE = { min: 30, max: 24 * 60 * 60 };
/** Bounds of REFRESH_TOKEN_TTL_SECONDS: from one minute to 90 days. */
export const REFRESH_TOKEN_TTL_RANGE = { min: 60, max: 90 * 24 * 60 * 60 };

export interface AuthConfig {
  port: number;
  host: string;
  /** A postgres:// URL, or undefined for the embedded PGlite database under `pgliteDirectory`. */
  databaseUrl?: string;
  schema: string;
  dataDirectory: string;
  pgliteDirectory: string;
  logLevel: LogLevel;
  jwt: JwtSettings;
  /** The Ed25519 key folder and its timing, present when JWT_MODE=eddsa. */
  signingKeys?: SigningKeySettings;
  cookies: CookieSettings;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

export interface SigningKeySettings {
  directory: string;
  /** Seconds between a rotation and the first token its new key signs; verifiers fetch the key in the meantime. */
  activationDelaySeconds: number;
  /** How often the service reads the key folder again, so a rotation needs no restart. */
  reloadIntervalMs: number;
}

/** Reads the key folder settings of `eddsa` mode. */
export function readSigningKeySettings(env: Env, directory: string): SigningKeySettings {
  return {
    directory: resolve(readString(env, 'JWT_KEYS_DIR', join(directory, 'jwt-keys'))),
    activationDelaySeconds: readInteger(env, 'JWT_KEY_ACTIVATION_DELAY_SECONDS', 60, { min: 0, max: 86_400 }),
    reloadIntervalMs: readInteger(env, 'JWT_KEYS_RELOAD_SECONDS', 10, { min: 1, max: 3600 }) * 1000,
  };
}

/** Reads and validates the auth service's settings; throws a ConfigError that names the first invalid variable. */
export function readAuthConfig(env: Env, logger?: Logger): AuthConfig {
  const port = readPort(env, 'PORT', DEFAULT_PORT);
  const host = readHost(env);
  const databaseUrl = readDatabaseUrl(env, 'DATABASE_URL');
  const schema = readSchemaName(env, 'AUTH_DB_SCHEMA', DEFAULT_SCHEMA);
  const logLevel = readLogLevel(env);
  const accessTokenTtlSeconds = readInteger(env, 'ACCESS_TOKEN_TTL_SECONDS', DEFAULT_ACCESS_TOKEN_TTL_SECONDS, ACCESS_TOKEN_TTL_RANGE);
  const refreshTokenTtlSeconds = readInteger(env, 'REFRESH_TOKEN_TTL_SECONDS', DEFAULT_REFRESH_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_RANGE);
  if (refreshTokenTtlSeconds < accessTokenTtlSeconds) {
    throw new ConfigError(
      'REFRESH_TOKEN_TTL_SECONDS',
      `invalid value "${refreshTokenTtlSeconds}": expected at least ACCESS_TOKEN_TTL_SECONDS (${accessTokenTtlSeconds})`,
    );
  }

  // The data folder is created only after every plain value above is valid.
  const directory = dataDirectory(env);
  const jwt = readJwtSettings(env, directory, logger);
  return {
    port,
    host,
    databaseUrl,
    schema,
    dataDirectory: directory,
    pgliteDirectory: join(directory, 'auth-db'),
    logLevel,
    jwt,
    signingKeys: jwt.mode === 'eddsa' ? readSigningKeySettings(env, directory) : undefined,
    cookies: readCookieSettings(env, directory, logger),
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds,
  };
}

/**
 * Reads the refresh cookie settings: Secure unless COOKIE_SECURE=false, which
 * production rejects, and the CSRF signing key from SECRET_KEY_BASE. Without
 * that variable a development start generates one in the data folder;
 * production requires it, because every auth replica must share it.
 */
export function readCookieSettings(env: Env, directory: string, logger?: Logger): CookieSettings {
  const secure = readBoolean(env, 'COOKIE_SECURE', isProduction(env));
  if (!secure && isProduction(env)) {
    throw new ConfigError('COOKIE_SECURE', 'invalid value "false": refresh cookies must be Secure when NODE_ENV=production');
  }
  const refreshPath = readString(env, 'REFRESH_COOKIE_PATH', '/api/auth');
  if (!/^\/[A-Za-z0-9._~\/-]*$/.test(refreshPath)) {
    throw new ConfigError('REFRESH_COOKIE_PATH', `invalid value "${refreshPath}": expected a path such as /api/auth`);
  }
  return { secure, refreshPath, csrfKey: readSecretKeyBase(env, directory, logger) };
}

function readSecretKeyBase(env: Env, directory: string, logger?: Logger): Uint8Array {
  const value = env.SECRET_KEY_BASE?.trim();
  if (value) {
    if (value.length < MIN_SECRET_LENGTH && isProduction(env)) {
      throw new ConfigError('SECRET_KEY_BASE', `too short: expected at least ${MIN_SECRET_LENGTH} characters when NODE_ENV=production`);
    }
    return new TextEncoder().encode(value);
  }
  if (isProduction(env)) {
    throw new ConfigError('SECRET_KEY_BASE', `missing: set a random secret of at least ${MIN_SECRET_LENGTH} characters when NODE_ENV=production`);
  }
  const generated = loadOrCreateSecret(directory, 'secret-key-base');
  if (generated.created) logger?.warn({ variable: 'SECRET_KEY_BASE' }, 'SECRET_KEY_BASE is not set; generated a development secret in the data folder');
  return new TextEncoder().encode(generated.value);
}

/** Accepts a host name or an IPv4 or IPv6 address, the forms `server.listen` takes. */
function readHost(env: Env): string {
  const host = readString(env, 'HOST', DEFAULT_HOST);
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(host)) {
    throw new ConfigError('HOST', `invalid value "${host}": expected a host name or an IP address such as 127.0.0.1`);
  }
  return host;
}
