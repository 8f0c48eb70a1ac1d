/**
 * Environment parsing shared by every service. Each reader validates one
 * variable and throws a ConfigError that names it and the expected form, so a
 * bad value stops start-up with a message an operator can act on.
 */

export type Env = Record<string, string | undefined>;

export class ConfigError extends TypeError {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

function present(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function readString(env: Env, name: string, fallback: string): string {
  return present(env, name) ?? fallback;
}

export function readOptionalString(env: Env, name: string): string | undefined {
  return present(env, name);
}

export interface IntegerRange {
  min?: number;
  max?: number;
}

export function readInteger(env: Env, name: string, fallback: number, range: IntegerRange = {}): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  if (!/^-?\d+$/.test(raw)) {
    throw new ConfigError(name, `invalid value "${raw}": expected a whole number from ${min} to ${max}`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `invalid value "${raw}": expected a whole number from ${min} to ${max}`);
  }
  return value;
}

export function readNumber(env: Env, name: string, fallback: number, range: IntegerRange = {}): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const { min = -Infinity, max = Infinity } = range;
  const value = Number(raw);
  if (!/^-?\d+(\.\d+)?$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `invalid value "${raw}": expected a number from ${min} to ${max}`);
  }
  return value;
}

export function readPort(env: Env, name: string, fallback: number): number {
  return readInteger(env, name, fallback, { min: 0, max: 65535 });
}

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  throw new ConfigError(name, `invalid value "${raw}": expected true or false`);
}

export function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `invalid value "${raw}": expected one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

/** Reads an http(s) URL and returns it without a trailing slash. */
export function readHttpUrl(env: Env, name: string, fallback: string): string;
export function readHttpUrl(env: Env, name: string, fallback?: undefined): string | undefined;
export function readHttpUrl(env: Env, name: string, fallback?: string): string | undefined {
  const raw = present(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `invalid value "${raw}": expected an http:// or https:// URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `invalid value "${raw}": expected an http:// or https:// URL`);
  }
  return raw.replace(/\/+$/, '');
}

/** Reads a postgres:// or postgresql:// connection string. */
export function readDatabaseUrl(env: Env, name: string): string | undefined {
  const raw = present(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'invalid value: expected a postgres://user@host:port/database URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, 'invalid value: expected a postgres://user@host:port/database URL');
  }
  return raw;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function readLogLevel(env: Env): LogLevel {
  return readEnum(env, 'LOG_LEVEL', LOG_LEVELS, 'info');
}

export function isProduction(env: Env): boolean {
  return env.NODE_ENV === 'production';
}

/** A PostgreSQL identifier for a schema name: lower case, starts with a letter. */
export function readSchemaName(env: Env, name: string, fallback: string): string {
  const raw = readString(env, name, fallback);
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(raw)) {
    throw new ConfigError(name, `invalid value "${raw}": expected a schema name of lower-case letters, digits and _`);
  }
  return raw;
}
