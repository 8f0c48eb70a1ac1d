import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RetryBudget } from '../retry-budget.ts';
import type { UpstreamCall } from '../upstream-call.ts';
import { UpstreamFailure } from '../upstream-errors.ts';
import { backoffMs, createRetryStage } from './retry.ts';

const RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, budgetPercent: 20, budgetMinRetries: 10, budgetWindowMs: 10_000 };
const silentLog = { info() {}, debug() {}, warn() {} };

type Outcome = number | UpstreamFailure | { status: number; headers: Record<string, string> };

/** Runs the retry stage over a fake next that plays `outcomes` in order, one per attempt. */
async function runRetry(outcomes: Outcome[], options: { method?: string; body?: unknown; remainingMs?: number; budget?: RetryBudget } = {}) {
  const attempts: number[] = [];
  const discarded: string[] = [];
  const budget = options.budget ?? new RetryBudget(RETRY);
  const call = {
    method: options.method ?? 'GET',
    body: options.body ?? null,
    upstream: { name: 'auth', settings: { retry: RETRY }, retryBudget: budget },
    log: silentLog,
    timeoutMs: 1000,
    statusCode: 0,
    responseHeaders: null as Record<string, string> | null,
    cancelled: null,
    remainingMs: () => options.remainingMs ?? 1000,
    abortAttempt: (reason: UpstreamFailure) => discarded.push(reason.kind),
    sleep: () => Promise.resolve(),
  };
  const handler = createRetryStage()(async (current) => {
    const outcome = outcomes[attempts.length];
    attempts.push(attempts.length + 1);
    if (outcome instanceof UpstreamFailure) throw outcome;
    const status = typeof outcome === 'number' ? outcome : outcome.status;
    (current as unknown as typeof call).statusCode = status;
    (current as unknown as typeof call).responseHeaders = typeof outcome === 'number' ? {} : outcome.headers;
  });
  let error: unknown = null;
  await handler(call as unknown as UpstreamCall).catch((caught: unknown) => (error = caught));
  return { attempts: attempts.length, status: call.statusCode, error, discarded };
}

const refused = () => new UpstreamFailure('unavailable', 'refused', { connectionError: true });

test('retry stage retries a GET after a connection error', async () => {
  const result = await runRetry([refused(), 200]);
  assert.equal(result.attempts, 2);
  assert.equal(result.status, 200);
  assert.equal(result.error, null);
});

test('retry stage retries 502, 503 and 504 replies and drops them', async () => {
  for (const status of [502, 503, 504]) {
    const result = await runRetry([status, 200]);
    assert.equal(result.attempts, 2, `status ${status}`);
    assert.deepEqual(result.discarded, ['discarded']);
  }
});

test('retry stage never retries a POST or a request with a body', async () => {
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    const result = await runRetry([refused(), 200], { method });
    assert.equal(result.attempts, 1, method);
    assert.equal((result.error as UpstreamFailure).kind, 'unavailable');
  }
  const withBody = await runRetry([503, 200], { body: {} });
  assert.equal(withBody.attempts, 1);
  assert.equal(withBody.status, 503);
});

test('retry stage leaves other failures and replies alone', async () => {
  const timeout = await runRetry([new UpstreamFailure('timeout', 'slow'), 200]);
  assert.equal(timeout.attempts, 1);
  for (const status of [500, 501, 404, 429]) {
    const result = await runRetry([status, 200]);
    assert.equal(result.attempts, 1, `status ${status}`);
    assert.equal(result.status, status);
  }
  const open = await runRetry([new UpstreamFailure('circuit-open', 'open'), 200]);
  assert.equal(open.attempts, 1);
});

test('retry stage passes on a 503 that carries Retry-After', async () => {
  const result = await runRetry([{ status: 503, headers: { 'retry-after': '30' } }, 200]);
  assert.equal(result.attempts, 1);
  assert.equal(result.status, 503);
});

test('retry stage stops at the maximum attempts', async () => {
  const result = await runRetry([refused(), refused(), refused(), 200]);
  assert.equal(result.attempts, 3);
  assert.equal((result.error as UpstreamFailure).kind, 'unavailable');
});

test('retry stage stops when the deadline is too close', async () => {
  const result = await runRetry([refused(), 200], { remainingMs: 100 });
  assert.equal(result.attempts, 1);
});

test('retry stage stops when the retry budget is spent', async () => {
  const budget = new RetryBudget({ budgetPercent: 0, budgetMinRetries: 1, budgetWindowMs: 10_000 });
  assert.equal((await runRetry([refused(), 200], { budget })).attempts, 2);
  assert.equal((await runRetry([refused(), 200], { budget })).attempts, 1);
});

test('backoff is random up to a doubling cap', () => {
  const settings = { baseDelayMs: 100, maxDelayMs: 350 };
  assert.equal(backoffMs(settings, 1, () => 1), 100);
  assert.equal(backoffMs(settings, 2, () => 1), 200);
  assert.equal(backoffMs(settings, 3, () => 1), 350);
  assert.equal(backoffMs(settings, 3, () => 0), 0);
  assert.equal(backoffMs(settings, 2, () => 0.5), 100);
});
