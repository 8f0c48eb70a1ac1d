import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { createAccessTokenVerifier, type JwtSettings } from '../common/jwt.ts';
import { TEST_JWT_SECRET } from '../common/test-support.ts';
import { AccessTokenSigner, createRefreshToken, hashRefreshToken, REFRESH_TOKEN_PATTERN } from './tokens.ts';

const settings: JwtSettings = {
  secret: new TextEncoder().encode(TEST_JWT_SECRET),
  issuer: 'test-issuer',
  audience: 'test-audience',
  clockToleranceSeconds: 0,
};

describe('AccessTokenSigner', () => {
  it('signs a token the shared verifier accepts', async () => {
    const signer = new AccessTokenSigner(settings, 900, () => Date.now());
    const subject = { userId: randomUUID(), username: 'Alice', familyId: randomUUID() };
    const signed = await signer.sign(subject);

    const claims = await createAccessTokenVerifier(settings)(signed.token);
    assert.equal(claims.sub, subject.userId);
    assert.equal(claims.username, 'Alice');
    assert.equal(claims.sid, subject.familyId);
    assert.equal(claims.jti, signed.jti);
    assert.equal(claims.iss, 'test-issuer');
    assert.equal(claims.aud, 'test-audience');
    assert.equal(claims.exp - claims.iat, 900);
    assert.equal(signed.expiresAt.getTime(), claims.exp * 1000);
    assert.deepEqual(decodeProtectedHeader(signed.token), { alg: 'HS256', typ: 'JWT' });
  });

  it('takes iat and exp from its clock', async () => {
    const issuedAt = Date.UTC(2020, 0, 1, 12, 0, 0);
    const signer = new AccessTokenSigner(settings, 60, () => issuedAt);
    const signed = await signer.sign({ userId: randomUUID(), username: 'bob', familyId: randomUUID() });
    assert.equal(signed.expiresAt.getTime(), issuedAt + 60_000);
    await assert.rejects(createAccessTokenVerifier(settings)(signed.token), { code: 'TOKEN_EXPIRED' });
  });

  it('gives each token its own jti', async () => {
    const signer = new AccessTokenSigner(settings, 900, () => Date.now());
    const subject = { userId: randomUUID(), username: 'carol', familyId: randomUUID() };
    const first = await signer.sign(subject);
    const second = await signer.sign(subject);
    assert.notEqual(first.jti, second.jti);
  });
});

describe('refresh tokens', () => {
  it('are 43 base64url characters and differ each time', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => createRefreshToken()));
    assert.equal(tokens.size, 50);
    for (const token of tokens) assert.match(token, REFRESH_TOKEN_PATTERN);
  });

  it('hash to the hex SHA-256 of the token', () => {
    const token = createRefreshToken();
    const expected = createHash('sha256').update(token).digest('hex');
    assert.equal(hashRefreshToken(token), expected);
    assert.match(hashRefreshToken(token), /^[0-9a-f]{64}$/);
  });
});
