import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../common/config.ts';
import { normalizeAddress, rateLimitAddressKey, resolveClient, TrustedProxies } from './client-address.ts';

describe('TrustedProxies', () => {
  test('parses ranges and single addresses', () => {
    const proxies = TrustedProxies.parse(' 10.0.0.0/8, 192.168.1.7 ,fd00::/8, ::1 ', 'TRUSTED_PROXIES');
    for (const address of ['10.1.2.3', '192.168.1.7', 'fd12::1', '::1']) assert.equal(proxies.trusts(address), true, address);
    for (const address of ['11.0.0.1', '192.168.1.8', 'fe80::1', 'not-an-ip', '']) assert.equal(proxies.trusts(address), false, address);
  });

  test('names the variable for a bad entry', () => {
    for (const raw of ['10.0.0.0/33', 'example.com', '10.0.0.0/8/1', '::1/129', '10.0.0.0/x']) {
      assert.throws(() => TrustedProxies.parse(raw, 'TRUSTED_PROXIES'), (error: unknown) => error instanceof ConfigError && error.variable === 'TRUSTED_PROXIES', raw);
    }
  });

  test('empty list trusts nobody', () => {
    assert.equal(TrustedProxies.parse(undefined, 'TRUSTED_PROXIES').trusts('127.0.0.1'), false);
  });
});

describe('resolveClient', () => {
  const proxies = TrustedProxies.parse('127.0.0.1, 10.0.0.0/8', 'TRUSTED_PROXIES');
  const headers = { host: 'gw.local', 'x-forwarded-for': '1.1.1.1, 2.2.2.2, 10.0.0.5', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.com' };

  test('ignores the headers of an untrusted peer', () => {
    assert.deepEqual(resolveClient('203.0.113.1', false, headers, proxies), { address: '203.0.113.1', forwardedFor: '203.0.113.1', proto: 'http', host: 'gw.local' });
  });

  test('walks from the right behind trusted proxies', () => {
    assert.deepEqual(resolveClient('::ffff:127.0.0.1', false, headers, proxies), {
      address: '2.2.2.2',
      forwardedFor: '2.2.2.2, 10.0.0.5, 127.0.0.1',
      proto: 'https',
      host: 'app.example.com',
    });
  });

  test('rejects odd forwarded values', () => {
    const odd = { host: 'gw.local', 'x-forwarded-for': 'garbage', 'x-forwarded-proto': 'gopher', 'x-forwarded-host': 'evil host/with space' };
    assert.deepEqual(resolveClient('127.0.0.1', true, odd, proxies), { address: '127.0.0.1', forwardedFor: '127.0.0.1', proto: 'https', host: 'gw.local' });
  });

  test('uses the peer when every hop is trusted', () => {
    const all = { 'x-forwarded-for': '10.0.0.9, 10.0.0.8' };
    assert.equal(resolveClient('127.0.0.1', false, all, proxies).address, '10.0.0.9');
  });
});

describe('address keys', () => {
  test('IPv6 counts by /64, IPv4 by address', () => {
    assert.equal(rateLimitAddressKey('203.0.113.9'), '203.0.113.9');
    assert.equal(rateLimitAddressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(rateLimitAddressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(rateLimitAddressKey('::1'), '0:0:0:0::/64');
    assert.equal(rateLimitAddressKey('64:ff9b::192.0.2.33'), '64:ff9b:0:0::/64');
  });

  test('IPv4-mapped addresses read as IPv4', () => {
    assert.equal(normalizeAddress('::ffff:10.0.0.1'), '10.0.0.1');
    assert.equal(normalizeAddress(undefined), 'unknown');
  });
});
