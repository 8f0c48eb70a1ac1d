import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { readLogLevel, type Env } from '../common/config.ts';
import { migrate, openDatabase, type Database } from '../common/database.ts';
import { createService } from '../common/http.ts';
import { createAccessTokenVerifier } from '../common/jwt.ts';
import { createLogger, type Logger } from '../common/logger.ts';
import { systemClock, type Clock } from './clock.ts';
import { readAuthConfig, type AuthConfig } from './config.ts';
import type { CookieSettings } from './cookies.ts';
import { registerHealthRoute } from './health.ts';
import { registerJwksRoute } from './jwks.ts';
import { PasswordHasher } from './passwords.ts';
import { registerAuthRoutes } from './routes.ts';
import { SessionIssuer } from './sessions.ts';
import { SigningKeyRing } from './signing-keys.ts';
import { AuthStore } from './store.ts';
import { ExpiredRowSweeper } from './sweeper.ts';
import { AccessTokenSigner } from './tokens.ts';

export const SERVICE_NAME = 'auth';
export const MIGRATIONS_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Cookie settings of an app built without a configuration, as in tests:
 * Secure, on the public auth path, with a CSRF key made for this process.
 */
const DEFAULT_COOKIE_SETTINGS: CookieSettings = { secure: true, refreshPath: '/api/auth', csrfKey: randomBytes(32) };

/** Register and login bodies are a few hundred bytes; 16 KiB leaves room and bounds parsing work. */
const BODY_LIMIT_BYTES = 16 * 1024;

export interface AuthServiceOptions {
  logger?: Logger;
  /** The time source for token lifetimes and expiry checks; tests pass one they can move. */
  clock?: Clock;
}

export interface RunningService {
  app: FastifyInstance;
  /** The base URL, such as http://127.0.0.1:5000. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface AuthAppDependencies {
  config: Pick<AuthConfig, 'jwt' | 'accessTokenTtlSeconds' | 'refreshTokenTtlSeconds'> & { cookies?: CookieSettings };
  logger: Logger;
  db: Database;
  hasher: PasswordHasher;
  clock?: Clock;
  /** The Ed25519 keys; required when `config.jwt.mode` is `eddsa`. */
  keyRing?: SigningKeyRing;
}

/** Builds the auth Fastify app on an open, migrated database, without listening. */
export function buildAuthApp({ config, logger, db, hasher, clock = systemClock, keyRing }: AuthAppDependencies): FastifyInstance {
  const store = new AuthStore(db);
  const signer = new AccessTokenSigner(config.jwt, config.accessTokenTtlSeconds, clock, keyRing);
  const sessions = new SessionIssuer(store, signer, config.refreshTokenTtlSeconds, clock);
  const app = createService({ logger, bodyLimit: BODY_LIMIT_BYTES });
  app.register(fastifyCookie);

  registerHealthRoute(app, { service: SERVICE_NAME, pingDatabase: () => store.ping() });
  registerJwksRoute(app, keyRing);
  registerAuthRoutes(app, {
    store,
    hasher,
    sessions,
    verifyAccessToken: createAccessTokenVerifier(config.jwt, keyRing?.getKey),
    clock,
    clockToleranceSeconds: config.jwt.clockToleranceSeconds,
    cookies: config.cookies ?? DEFAULT_COOKIE_SETTINGS,
  });
  return app;
}

/**
 * Starts the auth service: reads and validates `env` (a ConfigError names the
 * bad variable), opens storage, applies migrations and listens on HOST:PORT.
 */
export async function startAuthService(env: Env, options: AuthServiceOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? createLogger({ service: SERVICE_NAME, level: readLogLevel(env) });
  const config = readAuthConfig(env, logger);
  const clock = options.clock ?? systemClock;

  const keyRing = config.signingKeys
    ? await SigningKeyRing.open({
        directory: config.signingKeys.directory,
        clock,
        retentionSeconds: config.accessTokenTtlSeconds + config.jwt.clockToleranceSeconds,
        logger,
      })
    : undefined;
  let db: Database;
  try {
    db = await openDatabase({ url: config.databaseUrl, schema: config.schema, dataDirectory: config.pgliteDirectory, logger });
  } catch (error) {
    keyRing?.stop();
    throw error;
  }
  keyRing?.startReloading(config.signingKeys!.reloadIntervalMs);
  let app: FastifyInstance | undefined;
  let sweeper: ExpiredRowSweeper | undefined;
  try {
    await migrate(db, MIGRATIONS_DIRECTORY, logger);
    const hasher = await PasswordHasher.create();
    app = buildAuthApp({ config, logger, db, hasher, clock, keyRing });
    await app.listen({ port: config.port, host: config.host });
    sweeper = new ExpiredRowSweeper(new AuthStore(db), clock, logger);
    sweeper.start();
  } catch (error) {
    keyRing?.stop();
    await app?.close();
    await db.close();
    throw error;
  }

  const port = listeningPort(app);
  const url = `http://${urlHost(config.host)}:${port}`;
  logger.info({ url, storage: db.kind, schema: db.schema }, 'auth service listening');

  const running = app;
  const runningSweeper = sweeper;
  let closing: Promise<void> | undefined;
  return {
    app: running,
    url,
    port,
    close() {
      closing ??= (async () => {
        await runningSweeper.stop();
        keyRing?.stop();
        await running.close();
        await db.close();
        logger.info('auth service stopped');
      })();
      return closing;
    },
  };
}

function listeningPort(app: FastifyInstance): number {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the auth service is not listening on a TCP port');
  return address.port;
}

/** Returns the host for the service URL: loopback for a wildcard address, and IPv6 addresses in brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
