import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffMs, gcra, MemoryRateLimitStore } from './rate-limit-store.ts';

describe('gcra', () => {
  test('allows the capacity at once, then one per interval', () => {
    const rule = { capacity: 3, periodSeconds: 3 };
    let tat: number | undefined;
    const now = 1_000_000;
    for (let index = 0; index < 3; index += 1) {
      const step = gcra(tat, now, rule);
      assert.equal(step.retryAfterMs, 0, `request ${index + 1}`);
      tat = step.tat;
    }
    const refused = gcra(tat, now, rule);
    assert.equal(refused.retryAfterMs, 1000);
    assert.equal(refused.tat, tat, 'a refused request must not consume the bucket');
    assert.equal(gcra(tat, now + 1000, rule).retryAfterMs, 0);
  });

  test('rounds the interval up to whole milliseconds', () => {
    const rule = { capacity: 7, periodSeconds: 60 };
    let tat: number | undefined;
    for (let index = 0; index < 7; index += 1) {
      const step = gcra(tat, 5000, rule);
      assert.equal(step.retryAfterMs, 0);
      tat = step.tat;
    }
    assert.ok(gcra(tat, 5000, rule).retryAfterMs > 0);
  });
});

describe('backoffMs', () => {
  const rule = { threshold: 3, baseSeconds: 1, maxSeconds: 5, resetSeconds: 900 };
  test('doubles from the threshold up to the maximum', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 40].map((failures) => backoffMs(failures, rule)), [0, 0, 1000, 2000, 4000, 5000, 5000]);
  });
});

describe('MemoryRateLimitStore', () => {
  test('counts per key and forgets after the period', async () => {
    let now = 0;
    const store = new MemoryRateLimitStore({ now: () => now });
    const rule = { capacity: 2, periodSeconds: 10 };
    assert.equal((await store.take('a', rule)).allowed, true);
    assert.equal((await store.take('a', rule)).allowed, true);
    assert.deepEqual(await store.take('a', rule), { allowed: false, retryAfterMs: 5000 });
    assert.equal((await store.take('b', rule)).allowed, true);
    now += 10_000;
    assert.equal((await store.take('a', rule)).allowed, true);
  });

  test('blocks after failures and clears on success', async () => {
    let now = 0;
    const store = new MemoryRateLimitStore({ now: () => now });
    const rule = { threshold: 2, baseSeconds: 1, maxSeconds: 60, resetSeconds: 900 };
    assert.equal(await store.recordFailure('k', rule), 0);
    assert.equal(await store.blockedFor('k'), 0);
    assert.equal(await store.recordFailure('k', rule), 1000);
    assert.equal(await store.blockedFor('k'), 1000);
    now += 400;
    assert.equal(await store.blockedFor('k'), 600);
    assert.equal(await store.recordFailure('k', rule), 2000);
    await store.clearFailures('k');
    assert.equal(await store.blockedFor('k'), 0);
    assert.equal(await store.recordFailure('k', rule), 0);
  });

  test('keeps at most maxKeys entries', async () => {
    const store = new MemoryRateLimitStore({ maxKeys: 10 });
    const rule = { capacity: 1, periodSeconds: 60 };
    for (let index = 0; index < 100; index += 1) await store.take(`key-${index}`, rule);
    // The oldest keys were evicted, so their next request is allowed again.
    assert.equal((await store.take('key-0', rule)).allowed, true);
    assert.equal((await store.take('key-99', rule)).allowed, false);
  });
});
