import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrate, openDatabase, type Database } from '../common/database.ts';
import { createTestStorage, type TestStorage } from '../common/test-support.ts';
import { MIGRATIONS_DIRECTORY } from './server.ts';
import { AuthStore, type UserRecord } from './store.ts';
import { createRefreshToken, hashRefreshToken } from './tokens.ts';

let storage: TestStorage;
let db: Database;
let store: AuthStore;

before(async () => {
  storage = createTestStorage('authstore');
  db = await openDatabase({
    url: storage.env.DATABASE_URL,
    schema: storage.env.AUTH_DB_SCHEMA ?? 'auth',
    dataDirectory: join(storage.env.DATA_DIR!, 'auth-db'),
  });
  await migrate(db, MIGRATIONS_DIRECTORY);
  store = new AuthStore(db);
});

after(async () => {
  await db.close();
  await storage.cleanup();
});

let counter = 0;
function newUser(overrides: Partial<UserRecord> = {}): UserRecord {
  counter += 1;
  return {
    id: randomUUID(),
    username: `store_user_${counter}`,
    email: `store.user.${counter}@example.com`,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$placeholder',
    createdAt: new Date(),
    ...overrides,
  };
}

async function startSession(user: UserRecord, now: Date, ttlMs = 60_000) {
  const token = createRefreshToken();
  const familyId = randomUUID();
  await store.createSession({
    familyId,
    userId: user.id,
    tokenHash: hashRefreshToken(token),
    issuedAt: now,
    expiresAt: new Date(now.getTime() + ttlMs),
  });
  return { token, familyId };
}

describe('migrations', () => {
  it('apply nothing the second time', async () => {
    assert.deepEqual(await migrate(db, MIGRATIONS_DIRECTORY), []);
  });

  it('can run again even without their record', async () => {
    const user = (await store.createUser(newUser())) as { created: true; user: UserRecord };
    await db.query('DELETE FROM schema_migrations');
    assert.deepEqual(await migrate(db, MIGRATIONS_DIRECTORY), ['001_users_and_tokens.sql', '002_password_change.sql']);
    assert.equal((await store.findUserById(user.user.id))?.username, user.user.username);
  });
});

describe('AuthStore', () => {
  it('reports a unique violation as the taken fields', async () => {
    const first = newUser();
    assert.equal((await store.createUser(first)).created, true);

    const sameName = await store.createUser(newUser({ username: first.username.toUpperCase() }));
    assert.deepEqual(sameName, { created: false, conflicts: ['username'] });

    const sameEmail = await store.createUser(newUser({ email: first.email }));
    assert.deepEqual(sameEmail, { created: false, conflicts: ['email'] });

    const both = await store.createUser(newUser({ username: first.username, email: first.email }));
    assert.deepEqual(both, { created: false, conflicts: ['username', 'email'] });
  });

  it('finds users by username or email without case', async () => {
    const user = newUser({ username: 'MixedCase_Name' });
    await store.createUser(user);
    assert.equal((await store.findUserByLogin('mixedcase_name'))?.id, user.id);
    assert.equal((await store.findUserByLogin(user.email.toUpperCase()))?.id, user.id);
    assert.equal(await store.findUserByLogin('nobody_here'), undefined);
    assert.equal(await store.findUserById('not-a-uuid'), undefined);
  });

  it('rotates a refresh token once, then revokes the family on reuse', async () => {
    const user = newUser();
    await store.createUser(user);
    const now = new Date();
    const { token, familyId } = await startSession(user, now);
    const next = createRefreshToken();
    const rotation = { tokenHash: hashRefreshToken(token), newTokenHash: hashRefreshToken(next), now, expiresAt: new Date(now.getTime() + 60_000) };

    const first = await store.rotateRefreshToken(rotation);
    assert.equal(first.status, 'rotated');

    const replay = await store.rotateRefreshToken({ ...rotation, newTokenHash: hashRefreshToken(createRefreshToken()) });
    assert.deepEqual(replay, { status: 'reused', familyId, userId: user.id });

    const afterReuse = await store.rotateRefreshToken({ ...rotation, tokenHash: hashRefreshToken(next), newTokenHash: hashRefreshToken(createRefreshToken()) });
    assert.equal(afterReuse.status, 'revoked');
    assert.equal(await store.isAccessTokenRevoked(randomUUID(), familyId), true);
  });

  it('rejects an expired refresh token', async () => {
    const user = newUser();
    await store.createUser(user);
    const issued = new Date(Date.now() - 120_000);
    const { token } = await startSession(user, issued, 60_000);
    const result = await store.rotateRefreshToken({
      tokenHash: hashRefreshToken(token),
      newTokenHash: hashRefreshToken(createRefreshToken()),
      now: new Date(),
      expiresAt: new Date(Date.now() + 60_000),
    });
    assert.equal(result.status, 'expired');
  });

  it('logs out only the families of the given user', async () => {
    const owner = newUser();
    const other = newUser();
    await store.createUser(owner);
    await store.createUser(other);
    const now = new Date();
    const own = await startSession(owner, now);
    const foreign = await startSession(other, now);

    const jti = randomUUID();
    const revoked = await store.logout({
      userId: owner.id,
      familyIds: [own.familyId, foreign.familyId],
      accessTokenId: jti,
      accessTokenExpiresAt: new Date(now.getTime() + 60_000),
      now,
    });
    assert.deepEqual(revoked, [own.familyId]);
    assert.equal(await store.isAccessTokenRevoked(jti, undefined), true);
    assert.equal(await store.isAccessTokenRevoked(randomUUID(), foreign.familyId), false);
  });

  it('deletes only expired rows', async () => {
    const user = newUser();
    await store.createUser(user);
    const now = new Date();
    const live = await startSession(user, now, 60_000);
    const stale = await startSession(user, new Date(now.getTime() - 120_000), 60_000);
    const staleJti = randomUUID();
    const liveJti = randomUUID();
    await store.logout({ userId: user.id, familyIds: [], accessTokenId: staleJti, accessTokenExpiresAt: new Date(now.getTime() - 1000), now });
    await store.logout({ userId: user.id, familyIds: [], accessTokenId: liveJti, accessTokenExpiresAt: new Date(now.getTime() + 60_000), now });

    const deleted = await store.deleteExpired(now);
    assert.ok(deleted.families >= 1, `expected at least one family deleted, got ${deleted.families}`);
    assert.ok(deleted.accessTokens >= 1, `expected at least one access token deleted, got ${deleted.accessTokens}`);

    const remaining = await db.query<{ family_id: string }>('SELECT family_id FROM refresh_tokens WHERE user_id = $1', [user.id]);
    assert.deepEqual(remaining.map((row) => row.family_id), [live.familyId]);
    assert.notEqual(remaining[0]?.family_id, stale.familyId);
    assert.equal(await store.isAccessTokenRevoked(staleJti, undefined), false);
    assert.equal(await store.isAccessTokenRevoked(liveJti, undefined), true);
  });
});
