-- Conversations, messages and avatars of the chat service.
-- user_id holds the access token's `sub` claim; the auth service owns the users.

CREATE TABLE conversations (
  id uuid PRIMARY KEY,
  user_id text NOT NULL,
  title text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- GET /mad-scientist/conversations: a user's conversations, latest activity first.
CREATE INDEX conversations_user_activity_idx ON conversations (user_id, updated_at DESC, id DESC);

-- The bigserial id orders messages and is the key of history pagination.
CREATE TABLE messages (
  id bigserial PRIMARY KEY,
  conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  user_id text NOT NULL,
  role text NOT NULL CHECK (role IN ('user', 'assistant')),
  content text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- History across all of a user's conversations, newest first.
CREATE INDEX messages_user_history_idx ON messages (user_id, id DESC);

-- History of one conversation, and the recent turns passed to the reply provider.
CREATE INDEX messages_conversation_history_idx ON messages (conversation_id, id DESC);

CREATE TABLE avatars (
  id uuid PRIMARY KEY,
  user_id text NOT NULL,
  style text NOT NULL,
  seed text NOT NULL,
  svg text NOT NULL,
  is_current boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- At most one current avatar per user.
CREATE UNIQUE INDEX avatars_current_idx ON avatars (user_id) WHERE is_current;
