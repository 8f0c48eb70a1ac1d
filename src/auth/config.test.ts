import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, type Env } from '../common/config.ts';
import { TEST_JWT_SECRET } from '../common/test-support.ts';
import { readAuthConfig } from './config.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'ms-auth-config-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function read(extra: Env) {
  return readAuthConfig({ DATA_DIR: dataDir, JWT_SECRET_KEY: TEST_JWT_SECRET, ...extra });
}

describe('readAuthConfig', () => {
  it('applies the defaults', () => {
    const config = read({});
    assert.equal(config.port, 5000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.schema, 'auth');
    assert.equal(config.logLevel, 'info');
    assert.equal(config.accessTokenTtlSeconds, 900);
    assert.equal(config.refreshTokenTtlSeconds, 604800);
    assert.equal(config.dataDirectory, dataDir);
    assert.equal(config.pgliteDirectory, join(dataDir, 'auth-db'));
    assert.equal(config.jwt.issuer, 'mad-scientist-auth');
    assert.equal(config.jwt.audience, 'mad-scientist');
    assert.equal(config.cookies.secure, false);
    assert.equal(config.cookies.refreshPath, '/api/auth');
    assert.ok(config.cookies.csrfKey.length >= 32);
    assert.equal(config.signingKeys, undefined);
  });

  it('reads the eddsa key folder and secure cookies', () => {
    const config = read({
      JWT_MODE: 'eddsa',
      NODE_ENV: 'production',
      JWT_KEY_ACTIVATION_DELAY_SECONDS: '5',
      SECRET_KEY_BASE: 'r4Tq9LmZ2xW7vB1nK8sD3fG6hJ0pQ5yC',
    });
    assert.equal(config.jwt.mode, 'eddsa');
    assert.equal(config.jwt.secret, undefined);
    assert.deepEqual(config.signingKeys, { directory: join(dataDir, 'jwt-keys'), activationDelaySeconds: 5, reloadIntervalMs: 10_000 });
    assert.equal(config.cookies.secure, true);
  });

  it('reads every variable', () => {
    const config = read({
      PORT: '0',
      HOST: '::1',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/example',
      AUTH_DB_SCHEMA: 'auth_two',
      LOG_LEVEL: 'warn',
      ACCESS_TOKEN_TTL_SECONDS: '60',
      REFRESH_TOKEN_TTL_SECONDS: '3600',
      JWT_ISSUER: 'issuer-x',
      JWT_AUDIENCE: 'audience-x',
    });
    assert.equal(config.port, 0);
    assert.equal(config.host, '::1');
    assert.equal(config.databaseUrl, 'postgres://postgres@127.0.0.1:5432/example');
    assert.equal(config.schema, 'auth_two');
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.accessTokenTtlSeconds, 60);
    assert.equal(config.refreshTokenTtlSeconds, 3600);
    assert.equal(config.jwt.issuer, 'issuer-x');
    assert.equal(config.jwt.audience, 'audience-x');
  });

  const invalid: Array<[string, Env]> = [
    ['PORT', { PORT: 'http' }],
    ['PORT', { PORT: '70000' }],
    ['HOST', { HOST: 'bad host/name' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/db' }],
    ['AUTH_DB_SCHEMA', { AUTH_DB_SCHEMA: 'Auth-Schema' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['ACCESS_TOKEN_TTL_SECONDS', { ACCESS_TOKEN_TTL_SECONDS: '0' }],
    ['ACCESS_TOKEN_TTL_SECONDS', { ACCESS_TOKEN_TTL_SECONDS: '15m' }],
    ['ACCESS_TOKEN_TTL_SECONDS', { ACCESS_TOKEN_TTL_SECONDS: '999999' }],
    ['REFRESH_TOKEN_TTL_SECONDS', { REFRESH_TOKEN_TTL_SECONDS: '10' }],
    ['REFRESH_TOKEN_TTL_SECONDS', { REFRESH_TOKEN_TTL_SECONDS: '100000000' }],
    ['REFRESH_TOKEN_TTL_SECONDS', { ACCESS_TOKEN_TTL_SECONDS: '3600', REFRESH_TOKEN_TTL_SECONDS: '600' }],
    ['JWT_CLOCK_TOLERANCE_SECONDS', { JWT_CLOCK_TOLERANCE_SECONDS: '-1' }],
    ['JWT_SECRET_KEY', { NODE_ENV: 'production', JWT_SECRET_KEY: 'short' }],
    ['JWT_SECRET_KEY', { NODE_ENV: 'production', JWT_SECRET_KEY: 'changeme-changeme-changeme-changeme' }],
    ['JWT_MODE', { JWT_MODE: 'none' }],
    ['JWT_ALGORITHMS', { JWT_ALGORITHMS: 'none' }],
    ['JWT_KEY_ACTIVATION_DELAY_SECONDS', { JWT_MODE: 'eddsa', JWT_KEY_ACTIVATION_DELAY_SECONDS: '-5' }],
    ['COOKIE_SECURE', { NODE_ENV: 'production', JWT_SECRET_KEY: 'q7Vd2kP9xL4mN8wR3tY6uB1cZ5hJ0gF-aE_sQ', COOKIE_SECURE: 'false' }],
    ['REFRESH_COOKIE_PATH', { REFRESH_COOKIE_PATH: 'api/auth' }],
    ['SECRET_KEY_BASE', { NODE_ENV: 'production', JWT_SECRET_KEY: 'q7Vd2kP9xL4mN8wR3tY6uB1cZ5hJ0gF-aE_sQ' }],
    ['SECRET_KEY_BASE', { NODE_ENV: 'production', JWT_SECRET_KEY: 'q7Vd2kP9xL4mN8wR3tY6uB1cZ5hJ0gF-aE_sQ', SECRET_KEY_BASE: 'short' }],
  ];
  for (const [variable, env] of invalid) {
    it(`names ${variable} for ${JSON.stringify(env)}`, () => {
      assert.throws(
        () => read(env),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
          assert.equal(error.variable, variable);
          assert.match(error.message, new RegExp(`^${variable}: `));
          return true;
        },
      );
    });
  }
});
