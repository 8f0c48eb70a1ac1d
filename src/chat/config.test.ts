import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, type Env } from '../common/config.ts';
import { readChatConfig } from './config.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'ms-chat-config-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function read(env: Env) {
  return readChatConfig({ DATA_DIR: dataDir, ...env });
}

test('defaults', () => {
  const config = read({});
  assert.equal(config.port, 8000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.schema, 'chat');
  assert.equal(config.databaseDirectory, join(dataDir, 'chat-db'));
  assert.equal(config.avatarUrlPrefix, '/api/chat/avatars');
  assert.equal(config.personaSeed, undefined);
  assert.equal(config.personaStreamDelayMs, 15);
  assert.equal(config.llm, undefined);
});

test('language model settings', () => {
  const config = read({ LLM_BASE_URL: 'http://127.0.0.1:9999/v1/', LLM_MODEL: 'tiny', LLM_API_KEY: 'k' });
  assert.deepEqual(config.llm, { baseUrl: 'http://127.0.0.1:9999/v1', apiKey: 'k', model: 'tiny', timeoutMs: 30_000 });
});

test('avatar URL prefix accepts a path or an http URL', () => {
  assert.equal(read({ AVATAR_URL_PREFIX: '/img/avatars/' }).avatarUrlPrefix, '/img/avatars');
  assert.equal(read({ AVATAR_URL_PREFIX: 'https://cdn.example.com/a' }).avatarUrlPrefix, 'https://cdn.example.com/a');
});

test('invalid values name their variable', () => {
  const cases: Array<[Env, string]> = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ CHAT_DB_SCHEMA: 'Bad-Name' }, 'CHAT_DB_SCHEMA'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ PERSONA_SEED: 'abc' }, 'PERSONA_SEED'],
    [{ PERSONA_SEED: '-1' }, 'PERSONA_SEED'],
    [{ PERSONA_STREAM_DELAY_MS: '99999' }, 'PERSONA_STREAM_DELAY_MS'],
    [{ LLM_BASE_URL: 'ftp://x' }, 'LLM_BASE_URL'],
    [{ LLM_BASE_URL: 'http://127.0.0.1:1' }, 'LLM_MODEL'],
    [{ LLM_TIMEOUT_MS: '0' }, 'LLM_TIMEOUT_MS'],
    [{ AVATAR_URL_PREFIX: 'javascript:alert(1)' }, 'AVATAR_URL_PREFIX'],
    [{ AVATAR_URL_PREFIX: '//evil.example' }, 'AVATAR_URL_PREFIX'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ];
  for (const [env, variable] of cases) {
    assert.throws(
      () => read(env),
      (error: unknown) => error instanceof ConfigError && error.variable === variable,
      `${JSON.stringify(env)} should fail on ${variable}`,
    );
  }
});
