import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { newAccount, startTestAuthService, type TestAuthService } from './test-helpers.ts';

describe('GET /.well-known/jwks.json', () => {
  describe('eddsa mode', () => {
    let auth: TestAuthService;
    before(async () => {
      auth = await startTestAuthService('jwks', { JWT_MODE: 'eddsa', JWT_SECRET_KEY: '' });
    });
    after(() => auth?.stop());

    it('publishes the key that signs access tokens', async () => {
      const keys = await auth.client.get('/.well-known/jwks.json');
      assert.equal(keys.status, 200);
      assert.match(keys.headers.get('cache-control') ?? '', /max-age=60/);
      assert.equal(keys.body.keys.length, 1);
      const [key] = keys.body.keys;
      assert.deepEqual({ kty: key.kty, crv: key.crv, alg: key.alg, use: key.use }, { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      assert.equal(key.d, undefined);

      const pair = await auth.client.post('/auth/register', newAccount('jwks'));
      assert.equal(pair.status, 201);
      const header = decodeProtectedHeader(pair.body.access_token);
      assert.equal(header.alg, 'EdDSA');
      assert.equal(header.kid, key.kid);
      const remote = createRemoteJWKSet(new URL(`${auth.service.url}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(pair.body.access_token, remote, { algorithms: ['EdDSA'] });
      assert.equal(payload.sub, pair.body.user.id);

      const profile = await auth.client.get('/auth/profile', pair.body.access_token);
      assert.equal(profile.status, 200);
    });
  });

  describe('hs256 mode', () => {
    let auth: TestAuthService;
    before(async () => {
      auth = await startTestAuthService('jwks-hs');
    });
    after(() => auth?.stop());

    it('publishes an empty set', async () => {
      const keys = await auth.client.get('/.well-known/jwks.json');
      assert.equal(keys.status, 200);
      assert.deepEqual(keys.body.keys, []);
    });
  });
});
