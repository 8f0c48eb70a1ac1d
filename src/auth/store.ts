import type { Database, Queryable } from '../common/database.ts';

/**
 * All SQL of the auth service. Every value travels as a query parameter, and
 * every timestamp comes from the caller, so expiry follows the service clock.
 */

export interface UserRecord {
  id: string;
  username: string;
  email: string;
  passwordHash: string;
  createdAt: Date;
}

export type UniqueField = 'username' | 'email';

export type CreateUserResult = { created: true; user: UserRecord } | { created: false, conflicts: UniqueField[] };

export interface NewSession {
  familyId: string;
  userId: string;
  tokenHash: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface Rotation {
  tokenHash: string;
  newTokenHash: string;
  now: Date;
  expiresAt: Date;
}

/**
 * The outcome of a refresh. `reused` means the token had already been
 * exchanged, and the store has revoked its family in the same transaction.
 */
export type RotationResult =
  | { status: 'rotated'; user: UserRecord; familyId: string }
  | { status: 'unknown' }
  | { status: 'expired'; familyId: string; userId: string }
  | { status: 'revoked'; familyId: string; userId: string }
  | { status: 'reused'; familyId: string; userId: string };

export interface Logout {
  userId: string;
  familyIds: string[];
  accessTokenId: string;
  /** The time after which the revoked access token fails verification anyway, so its row may be deleted. */
  accessTokenExpiresAt: Date;
  now: Date;
}

export interface PasswordChange {
  userId: string;
  passwordHash: string;
  accessTokenId: string;
  accessTokenExpiresAt: Date;
  now: Date;
}

export interface SweepResult {
  families: number;
  refreshTokens: number;
  accessTokens: number;
}

interface UserRow {
  id: string;
  username: string;
  email: string;
  password_hash: string;
  created_at: Date | string;
}

const USER_COLUMNS = 'id, username, email, password_hash, created_at';

const UNIQUE_INDEX_FIELDS: Record<string, UniqueField> = {
  users_username_lower_key: 'username',
  users_email_lower_key: 'email',
};

/** The SQLSTATE of a unique violation. */
const UNIQUE_VIOLATION = '23505';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tells whether `value` can be passed as a uuid parameter without a cast error. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    passwordHash: row.password_hash,
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
  };
}

function isUniqueViolation(error: unknown): error is { code: string; constraint?: string } {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
}

export class AuthStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async ping(): Promise<void> {
    await this.#db.query('SELECT 1');
  }

  /** Lists which of `username` and `email` another account already uses, compared without case. */
  async findConflicts(username: string, email: string): Promise<UniqueField[]> {
    const rows = await this.#db.query<{ username_taken: boolean; email_taken: boolean }>(
      `SELECT bool_or(lower(username) = lower($1)) AS username_taken, bool_or(lower(email) = lower($2)) AS email_taken
         FROM users WHERE lower(username) = lower($1) OR lower(email) = lower($2)`,
      [username, email],
    );
    const conflicts: UniqueField[] = [];
    if (rows[0]?.username_taken) conflicts.push('username');
    if (rows[0]?.email_taken) conflicts.push('email');
    return conflicts;
  }

  /**
   * Inserts a user. A unique violation, which a concurrent registration can
   * cause after any pre-check, becomes a result naming the taken fields.
   */
  async createUser(user: UserRecord): Promise<CreateUserResult> {
    try {
      const rows = await this.#db.query<UserRow>(
        `INSERT INTO users (id, username, email, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${USER_COLUMNS}`,
        [user.id, user.username, user.email, user.passwordHash, user.createdAt],
      );
      return { created: true, user: toUser(rows[0]) };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      let conflicts = await this.findConflicts(user.username, user.email);
      if (conflicts.length === 0) {
        // The other account was deleted in the meantime, so the violated index names the field.
        const field = error.constraint ? UNIQUE_INDEX_FIELDS[error.constraint] : undefined;
        conflicts = field ? [field] : ['username', 'email'];
      }
      return { created: false, conflicts };
    }
  }

  /** Finds a user by email when `identifier` contains "@" (usernames cannot), otherwise by username. */
  async findUserByLogin(identifier: string): Promise<UserRecord | undefined> {
    const column = identifier.includes('@') ? 'email' : 'username';
    const rows = await this.#db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE lower(${column}) = lower($1)`, [identifier]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async findUserById(id: string): Promise<UserRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await this.#db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  /** Starts a session: a new token family with its first refresh token. */
  async createSession(session: NewSession): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.query(
        'INSERT INTO refresh_token_families (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
        [session.familyId, session.userId, session.issuedAt, session.expiresAt],
      );
      await insertRefreshToken(tx, session, null);
    });
  }

  /**
   * Exchanges a refresh token for a new one of the same family, in one
   * transaction. The family row is locked first (SELECT ... FOR UPDATE), so
   * refreshes and revocations of one session run one after another: of two
   * concurrent refreshes of the same token, the second finds it already used.
   */
  rotateRefreshToken(rotation: Rotation): Promise<RotationResult> {
    return this.#db.transaction(async (tx) => {
      const [token] = await tx.query<{ family_id: string }>('SELECT family_id FROM refresh_tokens WHERE token_hash = $1', [
        rotation.tokenHash,
      ]);
      if (!token) return { status: 'unknown' };

      const [family] = await tx.query<{ id: string; user_id: string; revoked_at: Date | null }>(
        'SELECT id, user_id, revoked_at FROM refresh_token_families WHERE id = $1 FOR UPDATE',
        [token.family_id],
      );
      const [current] = await tx.query<{ used_at: Date | null; expires_at: Date | string }>(
        'SELECT used_at, expires_at FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE',
        [rotation.tokenHash],
      );
      // A sweep may have deleted both rows between the first query and the locks.
      if (!family || !current) return { status: 'unknown' };

      const ids = { familyId: family.id, userId: family.user_id };
      if (family.revoked_at) return { status: 'revoked', ...ids };
      // NOTE: a client that sends two refreshes of one token at once (two browser tabs) also
      // lands here and loses its session. A short grace period for the parent token would avoid that.
      if (current.used_at) {
        await tx.query(
          `UPDATE refresh_token_families SET revoked_at = $2, revoked_reason = 'reuse' WHERE id = $1`,
          [family.id, rotation.now],
        );
        return { status: 'reused', ...ids };
      }
      if (new Date(current.expires_at).getTime() <= rotation.now.getTime()) return { status: 'expired', ...ids };

      await tx.query('UPDATE refresh_tokens SET used_at = $2, replaced_by = $3 WHERE token_hash = $1', [
        rotation.tokenHash,
        rotation.now,
        rotation.newTokenHash,
      ]);
      const next = { ...ids, tokenHash: rotation.newTokenHash, issuedAt: rotation.now, expiresAt: rotation.expiresAt };
      await insertRefreshToken(tx, next, rotation.tokenHash);
      await tx.query('UPDATE refresh_token_families SET expires_at = $2 WHERE id = $1', [family.id, rotation.expiresAt]);

      const [user] = await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [family.user_id]);
      return { status: 'rotated', user: toUser(user), familyId: family.id };
    });
  }

  /** Returns the family of a refresh token if it belongs to `userId`. */
  async findFamilyOfToken(tokenHash: string, userId: string): Promise<string | undefined> {
    const rows = await this.#db.query<{ family_id: string }>(
      'SELECT family_id FROM refresh_tokens WHERE token_hash = $1 AND user_id = $2',
      [tokenHash, userId],
    );
    return rows[0]?.family_id;
  }

  /**
   * Ends a session in one transaction: revokes the user's listed token
   * families and records the access token's id until it expires.
   * Returns the families that this call revoked.
   */
  logout(logout: Logout): Promise<string[]> {
    return this.#db.transaction(async (tx) => {
      const revoked: string[] = [];
      for (const familyId of new Set(logout.familyIds)) {
        const rows = await tx.query<{ id: string }>(
          `UPDATE refresh_token_families SET revoked_at = $3, revoked_reason = 'logout'
            WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id`,
          [familyId, logout.userId, logout.now],
        );
        if (rows[0]) revoked.push(rows[0].id);
      }
      await tx.query(
        'INSERT INTO revoked_access_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING',
        [logout.accessTokenId, logout.userId, logout.accessTokenExpiresAt],
      );
      return revoked;
    });
  }

  /**
   * Replaces a user's password hash and ends every session of the user in one
   * transaction: all token families are revoked, and the access token of the
   * request is recorded until it expires. Returns the revoked families.
   */
  changePassword(change: PasswordChange): Promise<string[]> {
    return this.#db.transaction(async (tx) => {
      await tx.query('UPDATE users SET password_hash = $2 WHERE id = $1', [change.userId, change.passwordHash]);
      const rows = await tx.query<{ id: string }>(
        `UPDATE refresh_token_families SET revoked_at = $2, revoked_reason = 'password_change'
          WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`,
        [change.userId, change.now],
      );
      await tx.query(
        'INSERT INTO revoked_access_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING',
        [change.accessTokenId, change.userId, change.accessTokenExpiresAt],
      );
      return rows.map((row) => row.id);
    });
  }

  /** Tells whether an access token was logged out, or belongs to a session (`sid`) that was revoked. */
  async isAccessTokenRevoked(jti: string, familyId: string | undefined): Promise<boolean> {
    const sid = familyId && isUuid(familyId) ? familyId : null;
    const rows = await this.#db.query<{ revoked: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = $1)
           OR EXISTS (SELECT 1 FROM refresh_token_families WHERE id = $2::uuid AND revoked_at IS NOT NULL) AS revoked`,
      [jti, sid],
    );
    return rows[0]?.revoked === true;
  }

  /**
   * Deletes rows that can no longer affect a decision: families whose newest
   * token expired (with their tokens), other expired refresh tokens, and
   * revoked access tokens past their expiry.
   */
  async deleteExpired(now: Date): Promise<SweepResult> {
    const count = async (sql: string) => {
      const rows = await this.#db.query<{ count: number | string }>(`WITH deleted AS (${sql} RETURNING 1) SELECT count(*) AS count FROM deleted`, [now]);
      return Number(rows[0]?.count ?? 0);
    };
    const families = await count('DELETE FROM refresh_token_families WHERE expires_at <= $1');
    const refreshTokens = await count('DELETE FROM refresh_tokens WHERE expires_at <= $1');
    const accessTokens = await count('DELETE FROM revoked_access_tokens WHERE expires_at <= $1');
    return { families, refreshTokens, accessTokens };
  }
}

function insertRefreshToken(
  tx: Queryable,
  token: { tokenHash: string; familyId: string; userId: string; issuedAt: Date; expiresAt: Date },
  parentHash: string | null,
): Promise<unknown> {
  return tx.query(
    `INSERT INTO refresh_tokens (token_hash, family_id, user_id, parent_hash, issued_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [token.tokenHash, token.familyId, token.userId, parentHash, token.issuedAt, token.expiresAt],
  );
}
