import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { migrate, openDatabase, type Database } from './database.ts';

const url = process.env.TEST_DATABASE_URL?.trim();
const folders: string[] = [];
const schemas: string[] = [];

function migrationsFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'ms-migrations-'));
  folders.push(folder);
  writeFileSync(join(folder, '001_items.sql'), 'CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL UNIQUE);\n');
  writeFileSync(join(folder, '002_seed.sql'), "-- one row\nINSERT INTO items (name) VALUES ('first');\n");
  return folder;
}

async function open(): Promise<Database> {
  const schema = `t_db_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  if (url) return openDatabase({ url, schema });
  const folder = mkdtempSync(join(tmpdir(), 'ms-pglite-'));
  folders.push(folder);
  return openDatabase({ schema, dataDirectory: folder });
}

after(async () => {
  if (url) {
    const db = await openDatabase({ url, schema: 'public' });
    for (const schema of schemas) await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.close();
  }
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

test('migrations apply once and twice is a no-op', async () => {
  const db = await open();
  const folder = migrationsFolder();
  assert.deepEqual(await migrate(db, folder), ['001_items.sql', '002_seed.sql']);
  assert.deepEqual(await migrate(db, folder), []);
  const rows = await db.query<{ name: string }>('SELECT name FROM items');
  assert.deepEqual(rows, [{ name: 'first' }]);
  await db.close();
});

test('transaction rolls back when the work throws', async () => {
  const db = await open();
  await migrate(db, migrationsFolder());
  await assert.rejects(
    db.transaction(async (tx) => {
      await tx.query('INSERT INTO items (name) VALUES ($1)', ['second']);
      throw new Error('abort');
    }),
    /abort/,
  );
  const rows = await db.query<{ count: string | number }>('SELECT count(*)::int AS count FROM items');
  assert.equal(Number(rows[0].count), 1);
  await db.close();
});

test('tables live in the configured schema', async () => {
  const db = await open();
  await migrate(db, migrationsFolder());
  const rows = await db.query<{ table_schema: string }>("SELECT table_schema FROM information_schema.tables WHERE table_name = 'items'");
  assert.ok(rows.some((row) => row.table_schema === db.schema));
  await db.close();
});
