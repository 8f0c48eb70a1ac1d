-- Accounts, refresh token families and revoked access tokens.
-- Every statement uses IF NOT EXISTS, so applying this file twice changes nothing.
-- Timestamps come from the application's clock, never from now(), so that
-- expiry checks and tests agree on one time source.

CREATE TABLE IF NOT EXISTS users (
  id uuid PRIMARY KEY,
  username text NOT NULL CHECK (char_length(username) BETWEEN 3 AND 32),
  email text NOT NULL CHECK (char_length(email) <= 254),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL
);

-- Usernames keep the case the user chose, but "Alice" and "alice" are one account.
CREATE UNIQUE INDEX IF NOT EXISTS users_username_lower_key ON users (lower(username));

CREATE UNIQUE INDEX IF NOT EXISTS users_email_lower_key ON users (lower(email));

-- One row per login session. A refresh moves the session to a new token of the
-- same family. Revoking the family ends the session, whichever token it is on.
-- The family row is also the lock that serialises refreshes and revocations.
CREATE TABLE IF NOT EXISTS refresh_token_families (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  -- The expiry of the family's newest token. The family may be deleted after it.
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('logout', 'reuse'))
);

CREATE INDEX IF NOT EXISTS refresh_token_families_user_idx ON refresh_token_families (user_id);

CREATE INDEX IF NOT EXISTS refresh_token_families_expires_idx ON refresh_token_families (expires_at);

-- Refresh tokens are stored only as the hex SHA-256 of the token.
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  family_id uuid NOT NULL REFERENCES refresh_token_families (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  parent_hash text,
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  -- Set when the token is exchanged. A second exchange is a reuse.
  used_at timestamptz,
  replaced_by text
);

CREATE INDEX IF NOT EXISTS refresh_tokens_family_idx ON refresh_tokens (family_id);

CREATE INDEX IF NOT EXISTS refresh_tokens_expires_idx ON refresh_tokens (expires_at);

-- Access tokens ended by logout, kept until the token's own expiry.
CREATE TABLE IF NOT EXISTS revoked_access_tokens (
  jti text PRIMARY KEY CHECK (char_length(jti) <= 128),
  user_id uuid NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS revoked_access_tokens_expires_idx ON revoked_access_tokens (expires_at);
