import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../common/database.ts';
import type { ChatTurn } from './providers/provider.ts';

/** A message as the API returns it. */
export interface MessageRecord {
  id: string;
  conversation_id: string;
  role: 'user' | 'assistant';
  content: string;
  created_at: string;
}

export interface ConversationRecord {
  id: string;
  title: string;
  created_at: string;
  updated_at: string;
}

/** An avatar without its image. */
export interface AvatarRecord {
  id: string;
  style: string;
  seed: string;
  created_at: string;
}

export interface HistoryQuery {
  limit: number;
  /** Only messages with a smaller id; the position of the previous page's last message. */
  beforeId?: string;
  conversationId?: string;
}

interface MessageRow {
  id: string;
  conversation_id: string;
  role: 'user' | 'assistant';
  content: string;
  created_at: Date | string;
}

interface TimestampedRow {
  created_at: Date | string;
  updated_at?: Date | string;
}

// The id is returned as text because it is a bigint. ORDER BY must then name
// messages.id, since a bare "id" would sort by this text alias.
const MESSAGE_COLUMNS = 'id::text AS id, conversation_id::text AS conversation_id, role, content, created_at';
const AVATAR_COLUMNS = 'id::text AS id, style, seed, created_at';

/** Class id for the advisory locks of this service (the first argument of pg_advisory_xact_lock). */
const LOCK_CLASS = 8000;

function isoTime(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

function toMessage(row: MessageRow): MessageRecord {
  return { ...row, created_at: isoTime(row.created_at) };
}

/**
 * Serialises a user's writes of one kind. Taken inside a transaction, the lock
 * is held until commit, so a user's message ids become visible in id order.
 * A history reader therefore never sees a larger id while a smaller one is
 * still uncommitted, and keyset pagination cannot skip a message.
 */
async function lockUser(tx: Queryable, scope: string, userId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, `${scope}:${userId}`]);
}

/** All SQL of the chat service; every value travels as a bound parameter. */
export class ChatStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async ping(): Promise<void> {
    await this.#db.query('SELECT 1');
  }

  /**
   * Stores a user message. Without `conversationId` it starts a conversation
   * titled `title`. Returns undefined when the conversation does not exist
   * or belongs to another user.
   */
  async appendUserMessage(
    userId: string,
    conversationId: string | undefined,
    content: string,
    title: string,
  ): Promise<MessageRecord | undefined> {
    return this.#db.transaction(async (tx) => {
      await lockUser(tx, 'messages', userId);
      let id = conversationId;
      if (id === undefined) {
        id = randomUUID();
        await tx.query('INSERT INTO conversations (id, user_id, title) VALUES ($1, $2, $3)', [id, userId, title]);
      } else {
        const owned = await tx.query('SELECT 1 FROM conversations WHERE id = $1 AND user_id = $2', [id, userId]);
        if (owned.length === 0) return undefined;
      }
      return this.#insertMessage(tx, userId, id, 'user', content);
    });
  }

  /** Stores an assistant reply in a conversation that the user owns. */
  async appendReply(userId: string, conversationId: string, content: string): Promise<MessageRecord> {
    return this.#db.transaction(async (tx) => {
      await lockUser(tx, 'messages', userId);
      return this.#insertMessage(tx, userId, conversationId, 'assistant', content);
    });
  }

  async #insertMessage(
    tx: Queryable,
    userId: string,
    conversationId: string,
    role: 'user' | 'assistant',
    content: string,
  ): Promise<MessageRecord> {
    const [row] = await tx.query<MessageRow>(
      `INSERT INTO messages (conversation_id, user_id, role, content) VALUES ($1, $2, $3, $4) RETURNING ${MESSAGE_COLUMNS}`,
      [conversationId, userId, role, content],
    );
    await tx.query('UPDATE conversations SET updated_at = now() WHERE id = $1', [conversationId]);
    return toMessage(row);
  }

  /** Returns the last `limit` messages of a conversation, oldest first. */
  async recentTurns(conversationId: string, limit: number): Promise<ChatTurn[]> {
    const rows = await this.#db.query<ChatTurn>(
      'SELECT role, content FROM messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2',
      [conversationId, limit],
    );
    return rows.reverse();
  }

  /**
   * Returns one page of a user's messages, newest first, and whether older
   * messages remain. Pages are keyed on the message id, so messages stored
   * between two page reads never shift the later pages.
   */
  async history(userId: string, query: HistoryQuery): Promise<{ messages: MessageRecord[]; hasMore: boolean }> {
    const rows = await this.#db.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
        WHERE user_id = $1
          AND ($2::uuid IS NULL OR conversation_id = $2::uuid)
          AND ($3::bigint IS NULL OR id < $3::bigint)
        ORDER BY messages.id DESC
        LIMIT $4`,
      [userId, query.conversationId ?? null, query.beforeId ?? null, query.limit + 1],
    );
    const hasMore = rows.length > query.limit;
    return { messages: rows.slice(0, query.limit).map(toMessage), hasMore };
  }

  /** Returns whether the conversation exists and belongs to the user. */
  async ownsConversation(userId: string, conversationId: string): Promise<boolean> {
    const rows = await this.#db.query('SELECT 1 FROM conversations WHERE id = $1 AND user_id = $2', [conversationId, userId]);
    return rows.length > 0;
  }

  /** Returns a user's conversations, latest activity first. */
  async conversations(userId: string, limit: number): Promise<ConversationRecord[]> {
    const rows = await this.#db.query<ConversationRecord & TimestampedRow>(
      `SELECT id::text AS id, title, created_at, updated_at FROM conversations
        WHERE user_id = $1 ORDER BY conversations.updated_at DESC, conversations.id DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map((row) => ({ ...row, created_at: isoTime(row.created_at), updated_at: isoTime(row.updated_at ?? row.created_at) }));
  }

  async currentAvatar(userId: string): Promise<AvatarRecord | undefined> {
    const [row] = await this.#db.query<AvatarRecord & TimestampedRow>(
      `SELECT ${AVATAR_COLUMNS} FROM avatars WHERE user_id = $1 AND is_current`,
      [userId],
    );
    return row && { ...row, created_at: isoTime(row.created_at) };
  }

  /**
   * Stores an avatar as the user's current one. With `onlyIfNone`, an
   * existing current avatar wins and is returned instead, so concurrent first
   * requests create one default avatar, not several.
   */
  async saveCurrentAvatar(
    userId: string,
    avatar: { style: string; seed: string; svg: string },
    options: { onlyIfNone?: boolean } = {},
  ): Promise<{ avatar: AvatarRecord; created: boolean }> {
    return this.#db.transaction(async (tx) => {
      await lockUser(tx, 'avatars', userId);
      if (options.onlyIfNone) {
        const [existing] = await tx.query<AvatarRecord & TimestampedRow>(
          `SELECT ${AVATAR_COLUMNS} FROM avatars WHERE user_id = $1 AND is_current`,
          [userId],
        );
        if (existing) return { avatar: { ...existing, created_at: isoTime(existing.created_at) }, created: false };
      }
      await tx.query('UPDATE avatars SET is_current = false WHERE user_id = $1 AND is_current', [userId]);
      const [row] = await tx.query<AvatarRecord & TimestampedRow>(
        `INSERT INTO avatars (id, user_id, style, seed, svg, is_current) VALUES ($1, $2, $3, $4, $5, true)
         RETURNING ${AVATAR_COLUMNS}`,
        [randomUUID(), userId, avatar.style, avatar.seed, avatar.svg],
      );
      return { avatar: { ...row, created_at: isoTime(row.created_at) }, created: true };
    });
  }

  /** Returns the SVG of any stored avatar, current or not. */
  async avatarImage(id: string): Promise<string | undefined> {
    const [row] = await this.#db.query<{ svg: string }>('SELECT svg FROM avatars WHERE id = $1', [id]);
    return row?.svg;
  }
}
