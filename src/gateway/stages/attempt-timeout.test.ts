import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UpstreamCall } from '../upstream-call.ts';
import { UpstreamFailure } from '../upstream-errors.ts';
import { createAttemptTimeoutStage } from './attempt-timeout.ts';

/** Builds a call that records attempt aborts and rejects the fake next with them, as UpstreamCall does. */
function fakeCall(attemptTimeoutMs: number, remainingMs: number) {
  const aborts: UpstreamFailure[] = [];
  let rejectPending: ((failure: UpstreamFailure) => void) | undefined;
  const call = {
    upstream: { name: 'chat' },
    attemptTimeoutMs,
    remainingMs: () => remainingMs,
    abortAttempt(reason: UpstreamFailure) {
      aborts.push(reason);
      rejectPending?.(reason);
    },
  } as unknown as UpstreamCall;
  const hang = () => new Promise<void>((_resolve, reject) => (rejectPending = reject));
  return { call, aborts, hang };
}

test('attempt timeout ends an attempt without headers in time', async () => {
  const { call, aborts, hang } = fakeCall(30, 10_000);
  await assert.rejects(createAttemptTimeoutStage()(hang)(call), (error: unknown) => error instanceof UpstreamFailure && error.kind === 'timeout');
  assert.equal(aborts.length, 1);
  assert.match(aborts[0].message, /within 30 ms/);
});

test('attempt timeout never runs past the deadline', async () => {
  const { call, aborts, hang } = fakeCall(10_000, 30);
  await assert.rejects(createAttemptTimeoutStage()(hang)(call));
  assert.match(aborts[0].message, /within 30 ms/);
});

test('attempt timeout leaves an attempt that answers in time alone', async () => {
  const { call, aborts } = fakeCall(30, 10_000);
  await createAttemptTimeoutStage()(async () => {})(call);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(aborts.length, 0);
});
