/**
 * Helpers for tests that use the Redis named by TEST_REDIS_URL. Each call
 * gets its own key prefix (TEST_REDIS_PREFIX plus a random part), and
 * `deleteKeys` removes every key under it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The skip message of a test that needs TEST_REDIS_URL, or false when it is set. */
export const redisSkip: string | false = process.env.TEST_REDIS_URL?.trim()
  ? false
  : 'TEST_REDIS_URL is not set: set it (for example redis://127.0.0.1:6379) to run the Redis tests';

/** Returns the TEST_REDIS_URL and a key prefix that no other test run uses. */
export function testRedis(): { url: string; keyPrefix: string } {
  const url = process.env.TEST_REDIS_URL?.trim();
  if (!url) throw new Error('TEST_REDIS_URL is not set');
  const keyPrefix = `${process.env.TEST_REDIS_PREFIX ?? 'ms-test-'}${randomBytes(6).toString('hex')}:`;
  return { url, keyPrefix };
}

/** Lists the keys that start with `keyPrefix`, scanning at most 1,000,000 keys of the database. */
export async function scanKeys(client: Redis, keyPrefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  for (let round = 0; round < 1000; round += 1) {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  return found;
}

/** Deletes every key that starts with `keyPrefix`; returns how many there were. */
export async function deleteKeys(url: string, keyPrefix: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const keys = await scanKeys(client, keyPrefix);
    return keys.length > 0 ? await client.del(...keys) : 0;
  } finally {
    client.disconnect();
  }
}
