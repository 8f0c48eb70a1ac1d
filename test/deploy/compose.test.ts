/**
 * Checks deploy/docker-compose.yml and deploy/Dockerfile against the code,
 * since no Docker engine runs in the tests: the gateway accepts its Compose
 * environment, every nginx template variable gets a value, every build
 * target exists, and only nginx publishes a port.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { Env } from '../../src/common/config.ts';
import { readGatewayConfig } from '../../src/gateway/config.ts';
import { readMetricsSettings } from '../../src/gateway/metrics-endpoint.ts';
import { readOtelSettings } from '../../src/gateway/otel.ts';
import { readRedisSettings } from '../../src/gateway/redis.ts';
import { repositoryRoot } from '../support/processes.ts';
import { TEMPLATE_PATH } from './nginx.ts';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(join(repositoryRoot, 'deploy/docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const dockerfile = readFileSync(join(repositoryRoot, 'deploy/Dockerfile'), 'utf8');

/** Substitutes Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}` forms with `values` or the default. */
function interpolate(value: string, values: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g, (_whole, name: string, kind?: string, rest?: string) => {
    if (values[name] !== undefined) return values[name];
    if (kind === '-') return rest ?? '';
    throw new Error(`${name} has no value and no default`);
  });
}

function environmentOf(service: string, values: Record<string, string>): Env {
  const environment = compose.services[service].environment ?? {};
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, interpolate(String(value), values)]));
}

const operatorValues = {
  JWT_SECRET_KEY: randomBytes(32).toString('base64url'),
  SECRET_KEY_BASE: randomBytes(32).toString('base64url'),
  POSTGRES_PASSWORD: randomBytes(12).toString('hex'),
};

test('compose has the whole topology', () => {
  for (const name of ['nginx', 'gateway', 'auth', 'chat', 'postgres', 'redis']) assert.ok(compose.services[name], `service ${name} is missing`);
});

test('compose publishes only nginx', () => {
  for (const [name, service] of Object.entries(compose.services)) {
    if (name === 'nginx') assert.deepEqual(service.ports, ['${HTTP_PORT:-80}:80']);
    else assert.equal(service.ports, undefined, `${name} publishes a port, so it could not be scaled or would bypass nginx`);
  }
});

test('compose gateway environment is valid', () => {
  const env = environmentOf('gateway', operatorValues);
  const config = readGatewayConfig(env);
  assert.equal(config.port, 4000);
  assert.equal(config.host, '127.0.0.1', 'HOST comes from the image, not from Compose');
  assert.equal(config.trustForwardedHeaders, true);
  const redis = readRedisSettings(env);
  assert.ok(redis, 'REDIS_URL is set');
  assert.equal(redis.url, 'redis://redis:6379/0');
  assert.equal(redis.revocationFailureMode, 'open');
  assert.deepEqual(readMetricsSettings(env), { port: 9464, host: '0.0.0.0', onPublicPort: false });
  assert.equal(readOtelSettings(env, 'gateway'), null, 'span export is off until OTEL_EXPORTER_OTLP_ENDPOINT is set');
  assert.equal(readOtelSettings(environmentOf('gateway', { ...operatorValues, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), 'gateway')?.tracesUrl, 'http://collector:4318/v1/traces');
});

test('compose requires the secrets', () => {
  assert.throws(() => environmentOf('gateway', {}), /JWT_SECRET_KEY/);
  assert.throws(() => environmentOf('auth', { JWT_SECRET_KEY: operatorValues.JWT_SECRET_KEY }), /SECRET_KEY_BASE|POSTGRES_PASSWORD/);
  assert.throws(() => environmentOf('auth', { JWT_SECRET_KEY: operatorValues.JWT_SECRET_KEY, POSTGRES_PASSWORD: 'x' }), /SECRET_KEY_BASE/);
});

test('compose waits for healthy dependencies', () => {
  assert.ok(compose.services.postgres.healthcheck);
  assert.ok(compose.services.redis.healthcheck);
  assert.deepEqual(compose.services.gateway.depends_on, {
    auth: { condition: 'service_healthy' },
    chat: { condition: 'service_healthy' },
    redis: { condition: 'service_healthy' },
  });
  assert.equal(compose.services.nginx.depends_on?.gateway.condition, 'service_healthy');
});

test('compose build targets exist in the Dockerfile', () => {
  const targets = new Set([...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((match) => match[1]));
  for (const [name, service] of Object.entries(compose.services)) {
    if (!service.build) continue;
    assert.equal(service.build.dockerfile, 'deploy/Dockerfile', name);
    assert.ok(service.build.target, `${name} names no build target`);
    assert.ok(targets.has(service.build.target), `${name} builds target ${service.build.target}, which deploy/Dockerfile lacks`);
  }
  for (const target of ['auth', 'chat', 'gateway', 'edge']) {
    const stage = dockerfile.slice(dockerfile.indexOf(`AS ${target}\n`));
    const next = stage.indexOf('\nFROM ', 1);
    assert.match(next === -1 ? stage : stage.slice(0, next), /^HEALTHCHECK /m, `target ${target} has no HEALTHCHECK`);
  }
});

test('dockerfile copies files that exist', () => {
  for (const match of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
    for (const source of match[1].split(' ')) assert.ok(existsSync(join(repositoryRoot, source)), `COPY source ${source} does not exist`);
  }
});

test('nginx template variables all get a value', () => {
  const variables = new Set([...readFileSync(TEMPLATE_PATH, 'utf8').matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((match) => match[1]));
  const edgeStage = dockerfile.slice(dockerfile.indexOf('AS edge\n'));
  const fromImage = new Set([...edgeStage.matchAll(/^\s*(?:ENV\s+)?([A-Z_][A-Z0-9_]*)=/gm)].map((match) => match[1]));
  const fromCompose = new Set(Object.keys(compose.services.nginx.environment ?? {}));
  for (const variable of variables) assert.ok(fromImage.has(variable) || fromCompose.has(variable), `${variable} has no value in the edge image or in Compose`);
  assert.equal(compose.services.nginx.environment?.GATEWAY_SERVERS, 'server gateway:4000 max_fails=1 fail_timeout=5s;');
});
