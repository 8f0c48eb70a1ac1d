import { join } from 'node:path';
import {
  ConfigError,
  readDatabaseUrl,
  readHttpUrl,
  readInteger,
  readLogLevel,
  readOptionalString,
  readPort,
  readSchemaName,
  readString,
  type Env,
  type LogLevel,
} from '../common/config.ts';
import { dataDirectory } from '../common/data-dir.ts';

/** Settings of the OpenAI-compatible reply provider, present only when LLM_BASE_URL is set. */
export interface LlmSettings {
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Maximum wait in ms for the response headers and then for each streamed chunk. */
  timeoutMs: number;
}

export interface ChatConfig {
  port: number;
  host: string;
  logLevel: LogLevel;
  databaseUrl?: string;
  schema: string;
  dataDirectory: string;
  /** Folder of the embedded PGlite database, used when DATABASE_URL is absent. */
  databaseDirectory: string;
  /** Prefix of the public avatar image URLs, without a trailing slash. */
  avatarUrlPrefix: string;
  /** Fixed seed of the persona engine. When set, the same conversation always gets the same reply. */
  personaSeed?: number;
  /** Pause in ms between the words that the persona engine streams. */
  personaStreamDelayMs: number;
  /** Number of most recent messages of a conversation passed to the reply provider. */
  contextMessages: number;
  llm?: LlmSettings;
}

export const DEFAULT_CHAT_PORT = 8000;
export const DEFAULT_AVATAR_URL_PREFIX = '/api/chat/avatars';

/** Reads and validates the chat service settings. An invalid value throws a ConfigError naming the variable. */
export function readChatConfig(env: Env): ChatConfig {
  const directory = dataDirectory(env);
  return {
    port: readPort(env, 'PORT', DEFAULT_CHAT_PORT),
    host: readString(env, 'HOST', '127.0.0.1'),
    logLevel: readLogLevel(env),
    databaseUrl: readDatabaseUrl(env, 'DATABASE_URL'),
    schema: readSchemaName(env, 'CHAT_DB_SCHEMA', 'chat'),
    dataDirectory: directory,
    databaseDirectory: join(directory, 'chat-db'),
    avatarUrlPrefix: readAvatarUrlPrefix(env),
    personaSeed: readOptionalInteger(env, 'PERSONA_SEED', { min: 0, max: 2 ** 32 - 1 }),
    personaStreamDelayMs: readInteger(env, 'PERSONA_STREAM_DELAY_MS', 15, { min: 0, max: 5000 }),
    contextMessages: readInteger(env, 'CHAT_CONTEXT_MESSAGES', 20, { min: 1, max: 200 }),
    llm: readLlmSettings(env),
  };
}

function readOptionalInteger(env: Env, name: string, range: { min: number; max: number }): number | undefined {
  if (readOptionalString(env, name) === undefined) return undefined;
  return readInteger(env, name, range.min, range);
}

/** Accepts a path starting with "/" or an http(s) URL, so avatars can be served from another origin. */
function readAvatarUrlPrefix(env: Env): string {
  const raw = readString(env, 'AVATAR_URL_PREFIX', DEFAULT_AVATAR_URL_PREFIX);
  if (raw.startsWith('/')) {
    if (raw.startsWith('//') || !/^\/[A-Za-z0-9._~\/-]*$/.test(raw)) {
      throw new ConfigError('AVATAR_URL_PREFIX', `invalid value "${raw}": expected a path such as /api/chat/avatars or an http(s) URL`);
    }
    return raw.replace(/\/+$/, '');
  }
  return readHttpUrl(env, 'AVATAR_URL_PREFIX', DEFAULT_AVATAR_URL_PREFIX);
}

function readLlmSettings(env: Env): LlmSettings | undefined {
  const baseUrl = readHttpUrl(env, 'LLM_BASE_URL');
  const apiKey = readOptionalString(env, 'LLM_API_KEY');
  const model = readOptionalString(env, 'LLM_MODEL');
  const timeoutMs = readInteger(env, 'LLM_TIMEOUT_MS', 30_000, { min: 1, max: 600_000 });
  if (baseUrl === undefined) return undefined;
  if (model === undefined) {
    throw new ConfigError('LLM_MODEL', 'missing: set the model name that the server at LLM_BASE_URL serves');
  }
  return { baseUrl, apiKey, model, timeoutMs };
}
