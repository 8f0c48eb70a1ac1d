import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UpstreamCall } from '../upstream-call.ts';
import { UpstreamFailure } from '../upstream-errors.ts';
import { createDeadlineStage } from './deadline.ts';

/** Builds a call that records aborts and rejects the fake next with them, as UpstreamCall does. */
function fakeCall(timeoutMs: number) {
  const aborts: UpstreamFailure[] = [];
  let rejectPending: ((failure: UpstreamFailure) => void) | undefined;
  const call = {
    upstream: { name: 'auth' },
    timeoutMs,
    deadlineAt: Number.POSITIVE_INFINITY,
    abort(reason: UpstreamFailure) {
      aborts.push(reason);
      rejectPending?.(reason);
    },
  } as unknown as UpstreamCall;
  const hang = () => new Promise<void>((_resolve, reject) => (rejectPending = reject));
  return { call, aborts, hang };
}

test('deadline stage cancels a call without headers in time', async () => {
  const { call, aborts, hang } = fakeCall(50);
  const started = performance.now();
  await assert.rejects(createDeadlineStage()(hang)(call), (error: unknown) => error instanceof UpstreamFailure && error.kind === 'timeout');
  assert.equal(aborts.length, 1);
  assert.ok(performance.now() - started < 1000);
});

test('deadline stage sets the deadline the inner stages read', async () => {
  const { call } = fakeCall(5000);
  const before = performance.now();
  let seen = 0;
  await createDeadlineStage()(async (inner) => {
    seen = inner.deadlineAt;
  })(call);
  assert.ok(seen >= before + 5000, `deadline at ${seen - before} ms`);
  assert.ok(seen < before + 6000, `deadline at ${seen - before} ms`);
});

test('deadline stage leaves a call that answers in time alone', async () => {
  const { call, aborts } = fakeCall(50);
  await createDeadlineStage()(async () => {})(call);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(aborts.length, 0);
});
