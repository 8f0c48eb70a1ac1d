import { pino, type ChildLoggerOptions, type Logger } from 'pino';
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

/**
 * Lines on stdout are written in batches, synchronously: when this many
 * bytes wait, or at the next periodic flush. Writing each event-loop turn's
 * lines through the libuv threadpool cost 7.2 µs of CPU per line, against
 * 4.1 µs this way (bench/micro/access-log.ts, two lines per turn). nginx
 * (`access_log ... buffer= flush=`) and Envoy buffer access logs the same
 * way. As with pino's default destination, a reader of stdout that stops
 * reading stalls the process once the pipe is full.
 */
export const LOG_BUFFER_BYTES = 4096;
/** Maximum time a line waits in the buffer, in milliseconds. */
export const LOG_FLUSH_INTERVAL_MS = 200;

/**
 * Creates the service's pino logger: JSON lines with the service name and
 * redaction on. Buffered lines are written when the process exits, after a
 * crash too. A SIGKILL loses at most the last LOG_FLUSH_INTERVAL_MS of lines.
 */
export function createLogger({ service, level, destination }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: isoTimeByMillisecond,
  };
  if (destination) return pino(options, destination);
  const stdout = pino.destination({ dest: 1, sync: true, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS });
  flushedAtExit.add(stdout);
  return pino(options, stdout);
}

let formattedMillisecond = -1;
let formattedTime = '';

/**
 * pino's `isoTime`, formatted once per millisecond: a busy service writes
 * several lines in the same millisecond, and formatting the date cost about
 * 2 µs per line in the gateway's CPU profile.
 */
export function isoTimeByMillisecond(): string {
  const now = Date.now();
  if (now !== formattedMillisecond) {
    formattedMillisecond = now;
    formattedTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return formattedTime;
}

/** Buffered destinations to write out when the process exits, because pino does so only for asynchronous ones. */
const flushedAtExit = new Set<{ flushSync(): void }>();
process.on('exit', () => {
  for (const stream of flushedAtExit) {
    try {
      stream.flushSync();
    } catch {
      // A closed stdout cannot take the last lines, and nothing else can be done with them at exit.
    }
  }
});

/**
 * Returns a child of `logger` that writes to the same place without the
 * redaction paths, for lines whose every field the service builds itself
 * from values that contain no secret, such as the access-log line. Checking 22
 * paths, 7 of them wildcards, on each of those lines cost about 8 µs of CPU
 * per line (bench/micro/access-log.ts).
 */
export function unredactedChild(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}

type LogArguments = Parameters<Logger['info']>;

/**
 * A request's logger, created on its first use. pino runs each redaction
 * path over a child's bindings when the child is made, about 2 µs per
 * request in the gateway's profile. Most requests log only their access-log
 * line, which does not use this logger.
 */
export class LazyChildLogger {
  readonly #parent: Logger;
  readonly #bindings: Record<string, unknown>;
  readonly #options: ChildLoggerOptions | undefined;
  #logger: Logger | null = null;

  constructor(parent: Logger, bindings: Record<string, unknown>, options?: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #get(): Logger {
    return (this.#logger ??= this.#parent.child(this.#bindings, this.#options));
  }

  get level(): string {
    return this.#logger?.level ?? this.#options?.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#get().level = level;
  }

  fatal(...args: LogArguments): void {
    this.#get().fatal(...args);
  }

  error(...args: LogArguments): void {
    this.#get().error(...args);
  }

  warn(...args: LogArguments): void {
    this.#get().warn(...args);
  }

  info(...args: LogArguments): void {
    this.#get().info(...args);
  }

  debug(...args: LogArguments): void {
    this.#get().debug(...args);
  }

  trace(...args: LogArguments): void {
    this.#get().trace(...args);
  }

  silent(...args: LogArguments): void {
    this.#get().silent(...args);
  }

  child(bindings: Record<string, unknown>, options?: ChildLoggerOptions): Logger {
    return this.#get().child(bindings, options);
  }
}
