import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RetryBudget } from './retry-budget.ts';

function budgetAt(settings = { budgetPercent: 20, budgetMinRetries: 2, budgetWindowMs: 10_000 }) {
  const clock = { now: 50_000 };
  return { budget: new RetryBudget(settings, () => clock.now), clock };
}

test('retry budget allows the floor without traffic', () => {
  const { budget } = budgetAt();
  assert.equal(budget.tryWithdraw(), true);
  assert.equal(budget.tryWithdraw(), true);
  assert.equal(budget.tryWithdraw(), false);
  assert.equal(budget.snapshot().total_denied, 1);
});

test('retry budget grows by a percentage of requests', () => {
  const { budget } = budgetAt();
  for (let index = 0; index < 50; index += 1) budget.recordRequest();
  let granted = 0;
  while (budget.tryWithdraw()) granted += 1;
  // 20% of 50 requests plus the floor of 2.
  assert.equal(granted, 12);
  assert.deepEqual(budget.snapshot(), { requests: 50, retries: 12, allowed: 12, total_denied: 1 });
});

test('retry budget forgets requests and retries after the window', () => {
  const { budget, clock } = budgetAt();
  for (let index = 0; index < 50; index += 1) budget.recordRequest();
  while (budget.tryWithdraw());
  clock.now += 5_000;
  assert.equal(budget.tryWithdraw(), false, 'half a window later the retries still count');
  clock.now += 5_001;
  assert.deepEqual(budget.snapshot(), { requests: 0, retries: 0, allowed: 2, total_denied: 2 });
  assert.equal(budget.tryWithdraw(), true);
});

test('retry budget of zero percent and no floor denies every retry', () => {
  const { budget } = budgetAt({ budgetPercent: 0, budgetMinRetries: 0, budgetWindowMs: 10_000 });
  for (let index = 0; index < 100; index += 1) budget.recordRequest();
  assert.equal(budget.tryWithdraw(), false);
});
