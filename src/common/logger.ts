import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

/**
 * Paths removed from every log line. Tokens and passwords may sit in headers,
 * bodies or error contexts, so each likely place is listed.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["x-csrf-token"]',
  '*.password',
  '*.current_password',
  '*.new_password',
  '*.access_token',
  '*.refresh_token',
  '*.token',
  '*.cookie',
  'password',
  'current_password',
  'new_password',
  'access_token',
  'refresh_token',
  'token',
  'cookie',
];

export interface LoggerOptions {
  service: string;
  level: LogLevel;
  /** Where lines go; stdout unless a test passes a stream to read them back. */
  destination?: NodeJS.WritableStream;
}

/** Creates the service's pino logger: JSON lines with the service name and redaction on. */
export function createLogger({ service, level, destination }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (destination) return pino(options, destination);
  return pino(options, pino.destination({ dest: 1, sync: false }));
}
