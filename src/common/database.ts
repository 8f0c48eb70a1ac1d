import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from './logger.ts';

/**
 * The storage interface both services use. The same SQL runs on a PostgreSQL
 * server (through `pg`) and on the embedded PGlite database, so the services
 * never know which one they have.
 */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  readonly schema: string;
  /** Runs `work` in one transaction, committed when it resolves and rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; when absent, an embedded PGlite database in `dataDirectory`. */
  url?: string;
  /** The schema that holds this service's tables; created when missing. */
  schema: string;
  /** The folder for the PGlite files; unused with a URL. Pass `memory://` for a throwaway database. */
  dataDirectory?: string;
  poolSize?: number;
  logger?: Logger;
}

function quoteIdentifier(name: string): string {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new TypeError(`invalid schema name "${name}"`);
  return `"${name}"`;
}

async function openPostgres(options: DatabaseOptions): Promise<Database> {
  const { default: pg } = await import('pg');
  const schema = quoteIdentifier(options.schema);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    // Every connection resolves unqualified table names in the service's schema.
    options: `-c search_path=${options.schema}`,
    connectionTimeoutMillis: 5000,
  });
  pool.on('error', (err) => options.logger?.error({ err }, 'idle database connection failed'));
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);

  return {
    kind: 'postgres',
    schema: options.schema,
    async query<Row>(sql: string, params?: unknown[]) {
      const result = await pool.query(sql, params);
      return result.rows as Row[];
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          async query<Row>(sql: string, params?: unknown[]) {
            const result = await client.query(sql, params);
            return result.rows as Row[];
          },
        };
        const value = await work(tx);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

async function openPglite(options: DatabaseOptions): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const directory = options.dataDirectory ?? 'memory://';
  if (!directory.startsWith('memory://')) mkdirSync(directory, { recursive: true });
  const db = await PGlite.create(directory);
  const schema = quoteIdentifier(options.schema);
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema};`);

  // PGlite has one connection, so a transaction must not interleave with other
  // queries: every call waits its turn on this chain.
  let queue: Promise<unknown> = Promise.resolve();
  function serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => {});
    return run;
  }

  return {
    kind: 'pglite',
    schema: options.schema,
    query<Row>(sql: string, params?: unknown[]) {
      return serialise(async () => (await db.query<Row>(sql, params)).rows);
    },
    transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      return serialise(() =>
        db.transaction(async (inner) => {
          const tx: Queryable = {
            async query<Row>(sql: string, params?: unknown[]) {
              return (await inner.query<Row>(sql, params)).rows;
            },
          };
          return work(tx);
        }),
      );
    },
    async close() {
      await queue;
      await db.close();
    },
  };
}

/** Opens PostgreSQL when a URL is given, otherwise the embedded PGlite database. */
export function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options) : openPglite(options);
}

/**
 * Applies the `NNN_name.sql` files of `directory` in order, each once, and
 * records them in `schema_migrations`. An advisory lock keeps two instances
 * that start together from applying the same file twice.
 */
export async function migrate(db: Database, directory: string, logger?: Logger): Promise<string[]> {
  const files = readdirSync(directory)
    .filter((name) => /^\d+_[\w-]+\.sql$/.test(name))
    .sort();
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`migrate:${db.schema}`]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = readFileSync(join(directory, file), 'utf8');
      for (const statement of splitStatements(sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      applied.push(file);
    }
  });
  if (applied.length > 0) logger?.info({ schema: db.schema, migrations: applied }, 'database migrations applied');
  return applied;
}

/** Splits a migration file on semicolons at line ends; migrations keep one statement per such line. */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((part) => part.replace(/^\s*--.*$/gm, '').trim())
    .filter((part) => part.length > 0);
}
