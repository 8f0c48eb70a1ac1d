import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../common/config.ts';
import { parseOrigins } from './edge/cors.ts';
import { readBucketRule, readSecuritySettings } from './security-config.ts';

function throwsNaming(variable: string, read: () => unknown): void {
  assert.throws(read, (error: unknown) => error instanceof ConfigError && error.variable === variable, variable);
}

describe('readSecuritySettings', () => {
  test('applies the defaults', () => {
    const settings = readSecuritySettings({});
    assert.deepEqual(settings.corsOrigins, []);
    assert.equal(settings.trustedProxies.size, 0);
    assert.deepEqual(settings.clientLimits, { maxHeaderSizeBytes: 16_384, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, bodyIdleTimeoutMs: 10_000 });
    assert.deepEqual(settings.rateLimits.loginPerIp, { capacity: 20, periodSeconds: 60 });
    assert.deepEqual(settings.rateLimits.loginBackoff, { threshold: 5, baseSeconds: 1, maxSeconds: 300, resetSeconds: 900 });
    assert.equal(settings.requestValidation, true);
    assert.equal(settings.hstsMaxAgeSeconds, 31_536_000);
  });

  test('turns limits off one by one or all at once', () => {
    assert.equal(readSecuritySettings({ RATE_LIMIT_LOGIN_PER_IP: 'off' }).rateLimits.loginPerIp, null);
    assert.equal(readSecuritySettings({ LOGIN_BACKOFF_THRESHOLD: '0' }).rateLimits.loginBackoff, null);
    const none = readSecuritySettings({ RATE_LIMITS: 'off' }).rateLimits;
    assert.ok(Object.values(none).every((rule) => rule === null));
  });

  test('names each invalid variable', () => {
    throwsNaming('TRUST_FORWARDED_HEADERS', () => readSecuritySettings({ TRUSTED_PROXIES: '10.0.0.0/8', TRUST_FORWARDED_HEADERS: 'true' }));
    throwsNaming('TRUSTED_PROXIES', () => readSecuritySettings({ TRUSTED_PROXIES: 'proxy.internal' }));
    throwsNaming('CORS_ORIGINS', () => readSecuritySettings({ CORS_ORIGINS: '*' }));
    throwsNaming('REQUEST_TIMEOUT_MS', () => readSecuritySettings({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '1000' }));
    throwsNaming('MAX_HEADER_SIZE_BYTES', () => readSecuritySettings({ MAX_HEADER_SIZE_BYTES: '10' }));
    throwsNaming('LOGIN_BACKOFF_MAX_SECONDS', () => readSecuritySettings({ LOGIN_BACKOFF_BASE_SECONDS: '10', LOGIN_BACKOFF_MAX_SECONDS: '5' }));
    throwsNaming('RATE_LIMIT_CHAT_MESSAGES_PER_USER', () => readSecuritySettings({ RATE_LIMIT_CHAT_MESSAGES_PER_USER: '30 per minute' }));
    throwsNaming('REQUEST_VALIDATION', () => readSecuritySettings({ REQUEST_VALIDATION: 'maybe' }));
  });

  test('TRUST_FORWARDED_HEADERS trusts every peer', () => {
    const proxies = readSecuritySettings({ TRUST_FORWARDED_HEADERS: 'true' }).trustedProxies;
    assert.equal(proxies.trusts('203.0.113.1'), true);
    assert.equal(proxies.trusts('2001:db8::1'), true);
  });
});

describe('readBucketRule', () => {
  test('reads requests per seconds', () => {
    assert.deepEqual(readBucketRule({ R: '20/60' }, 'R', null), { capacity: 20, periodSeconds: 60 });
    assert.deepEqual(readBucketRule({ R: ' 5 / 1 ' }, 'R', null), { capacity: 5, periodSeconds: 1 });
    assert.equal(readBucketRule({ R: 'OFF' }, 'R', { capacity: 1, periodSeconds: 1 }), null);
    for (const raw of ['0/60', '5/0', '5/100000', '5', '-1/60', '1.5/60']) throwsNaming('R', () => readBucketRule({ R: raw }, 'R', null));
  });
});

describe('parseOrigins', () => {
  test('accepts origins only', () => {
    assert.deepEqual(parseOrigins('https://app.example.com, http://localhost:5173/', 'CORS_ORIGINS'), ['https://app.example.com', 'http://localhost:5173']);
    for (const raw of ['https://app.example.com/path', 'app.example.com', 'https://*.example.com', 'ftp://files.example.com', 'null']) {
      throwsNaming('CORS_ORIGINS', () => parseOrigins(raw, 'CORS_ORIGINS'));
    }
  });
});
