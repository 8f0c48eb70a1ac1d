import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Env } from '../common/config.ts';
import { migrate, openDatabase } from '../common/database.ts';
import { createService, requireUser } from '../common/http.ts';
import { createAccessTokenVerifier, readJwtSettings } from '../common/jwt.ts';
import { createLogger, type Logger } from '../common/logger.ts';
import { readChatConfig } from './config.ts';
import { ExchangeService } from './exchange.ts';
import type { ReplyProvider } from './providers/provider.ts';
import { createReplyProvider } from './providers/select.ts';
import { registerAvatarRoutes } from './routes/avatar.ts';
import { registerConversationsRoute } from './routes/conversations.ts';
import { registerHealthRoute } from './routes/health.ts';
import { registerHistoryRoute } from './routes/history.ts';
import { registerMessageRoute } from './routes/message.ts';
import { ChatStore } from './store.ts';

const MIGRATIONS_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface ChatServiceOptions {
  logger?: Logger;
  /** Replaces the provider chosen from the environment. */
  provider?: ReplyProvider;
}

export interface RunningService {
  app: FastifyInstance;
  /** http://127.0.0.1:PORT, or the HOST address when it names one interface. */
  url: string;
  port: number;
  close(): Promise<void>;
}

function urlFor(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/**
 * Starts the chat service: reads and validates the configuration, opens the
 * database and applies its migrations, and listens on HOST and PORT.
 * Throws a ConfigError naming the variable when the configuration is invalid.
 */
export async function startChatService(env: Env, options: ChatServiceOptions = {}): Promise<RunningService> {
  const config = readChatConfig(env);
  const logger = options.logger ?? createLogger({ service: 'chat', level: config.logLevel });
  const jwtSettings = readJwtSettings(env, config.dataDirectory, logger);

  const db = await openDatabase({
    url: config.databaseUrl,
    schema: config.schema,
    dataDirectory: config.databaseDirectory,
    logger,
  });
  let app: FastifyInstance | undefined;
  try {
    await migrate(db, MIGRATIONS_DIRECTORY, logger);
    const store = new ChatStore(db);
    const provider = options.provider ?? createReplyProvider(config, logger);
    const exchanges = new ExchangeService({ store, provider, contextMessages: config.contextMessages, logger });
    // NOTE: the revocation list of logged-out access tokens lives in the auth service, so this
    // service accepts a revoked token until it expires (ACCESS_TOKEN_TTL_SECONDS, 900 s by default).
    const authenticate = requireUser(createAccessTokenVerifier(jwtSettings));

    // The default body limit of 64 KiB fits a message of MAX_MESSAGE_LENGTH characters even when
    // a client escapes every character as \uXXXX.
    app = createService({ logger });
    registerHealthRoute(app, { store, startedAt: Date.now() });
    registerMessageRoute(app, { exchanges, authenticate });
    registerHistoryRoute(app, { store, authenticate });
    registerConversationsRoute(app, { store, authenticate });
    registerAvatarRoutes(app, { store, authenticate, urlPrefix: config.avatarUrlPrefix });

    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ provider: provider.name, database: db.kind, schema: config.schema }, 'chat service started');

    const running = app;
    let closing: Promise<void> | undefined;
    return {
      app: running,
      url: urlFor(config.host, port),
      port,
      close() {
        closing ??= (async () => {
          await running.close();
          await db.close();
          logger.info('chat service stopped');
        })();
        return closing;
      },
    };
  } catch (error) {
    await app?.close().catch(() => {});
    await db.close().catch(() => {});
    throw error;
  }
}
