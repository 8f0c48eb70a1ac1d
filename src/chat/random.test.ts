import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeededRandom } from './random.ts';

test('same seed gives the same sequence', () => {
  const a = new SeededRandom('seed');
  const b = new SeededRandom('seed');
  const first = Array.from({ length: 50 }, () => a.nextUint32());
  assert.deepEqual(Array.from({ length: 50 }, () => b.nextUint32()), first);
  assert.notDeepEqual(Array.from({ length: 50 }, () => new SeededRandom('other').nextUint32()), first);
});

test('integer stays within its bounds and reaches both', () => {
  const random = new SeededRandom('bounds');
  const seen = new Set<number>();
  for (let i = 0; i < 500; i += 1) {
    const value = random.integer(3, 6);
    assert.ok(value >= 3, String(value));
    assert.ok(value <= 6, String(value));
    seen.add(value);
  }
  assert.deepEqual([...seen].sort(), [3, 4, 5, 6]);
});

test('fork is independent of draws on the parent', () => {
  const a = new SeededRandom('parent');
  const b = new SeededRandom('parent');
  b.next();
  b.next();
  assert.equal(a.fork('x').next(), b.fork('x').next());
});

test('pickAvoiding skips avoided items unless all are avoided', () => {
  const random = new SeededRandom('avoid');
  for (let i = 0; i < 50; i += 1) assert.equal(random.pickAvoiding(['a', 'b'], (item) => item === 'a'), 'b');
  assert.equal(random.pickAvoiding(['a'], () => true), 'a');
});
