import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { createAccessTokenVerifier, type JwtSettings } from '../common/jwt.ts';
import { createSigningKeyFile, SigningKeyRing } from './signing-keys.ts';
import { AccessTokenSigner } from './tokens.ts';

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function keyFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'ms-keys-'));
  folders.push(folder);
  return join(folder, 'jwt-keys');
}

const settings: JwtSettings = { mode: 'eddsa', algorithms: ['EdDSA'], issuer: 'iss', audience: 'aud', clockToleranceSeconds: 0 };
const subject = () => ({ userId: randomUUID(), username: 'ada', familyId: randomUUID() });

describe('SigningKeyRing', () => {
  it('creates one private first key', async () => {
    const directory = keyFolder();
    const now = Date.now();
    const ring = await SigningKeyRing.open({ directory, clock: () => now, retentionSeconds: 60 });
    const again = await SigningKeyRing.open({ directory, clock: () => now, retentionSeconds: 60 });
    assert.deepEqual(readdirSync(directory), ['initial.json']);
    assert.equal(statSync(join(directory, 'initial.json')).mode & 0o777, 0o600);
    assert.equal(statSync(directory).mode & 0o777, 0o700);
    assert.equal(ring.current().kid, again.current().kid);
    const jwks = ring.jwks();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].kid, ring.current().kid);
    assert.equal(jwks.keys[0].d, undefined, 'the key set must not publish the private part');
  });

  it('rotates without breaking older tokens', async () => {
    const directory = keyFolder();
    let now = Date.now();
    const ring = await SigningKeyRing.open({ directory, clock: () => now, retentionSeconds: 120 });
    const signer = new AccessTokenSigner(settings, 60, () => now, ring);
    const verify = createAccessTokenVerifier(settings, ring.getKey);

    const first = await signer.sign(subject());
    const firstKid = decodeProtectedHeader(first.token).kid;
    const rotated = await createSigningKeyFile(directory, { now, activationDelaySeconds: 30 });
    ring.reload();

    // Published at once, signing only after the activation delay.
    assert.deepEqual(ring.jwks().keys.map((key) => key.kid).sort(), [firstKid, rotated.kid].sort());
    assert.equal(decodeProtectedHeader((await signer.sign(subject())).token).kid, firstKid);

    now += 31_000;
    const second = await signer.sign(subject());
    assert.equal(decodeProtectedHeader(second.token).kid, rotated.kid);
    // A verifier that fetched the key set before the switch still has both keys.
    const remote = createLocalJWKSet(ring.jwks());
    const remoteVerify = createAccessTokenVerifier(settings, remote);
    assert.equal((await remoteVerify(second.token)).username, 'ada');
    assert.equal((await verify(first.token)).username, 'ada');

    // After the retention the old key leaves the set and its file can go.
    now += 121_000;
    assert.deepEqual(ring.jwks().keys.map((key) => key.kid), [rotated.kid]);
    assert.deepEqual(ring.pruneExpired(), ['initial.json']);
    assert.equal(readdirSync(directory).length, 1);
  });

  it('skips unreadable files and keeps the loaded keys', async () => {
    const directory = keyFolder();
    const now = Date.now();
    const ring = await SigningKeyRing.open({ directory, clock: () => now, retentionSeconds: 60 });
    const kid = ring.current().kid;
    writeFileSync(join(directory, 'broken.json'), '{"kid": 1}');
    ring.reload();
    assert.equal(ring.current().kid, kid);
    rmSync(join(directory, 'initial.json'));
    rmSync(join(directory, 'broken.json'));
    ring.reload();
    assert.equal(ring.current().kid, kid);
  });
});
