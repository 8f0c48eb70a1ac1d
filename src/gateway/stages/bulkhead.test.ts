import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bulkhead } from '../bulkhead.ts';
import type { Permit, UpstreamCall } from '../upstream-call.ts';
import { UpstreamFailure } from '../upstream-errors.ts';
import { createBulkheadStage } from './bulkhead.ts';

/** Builds a call with the permit handling of UpstreamCall and no cancellation. */
function fakeCall(bulkhead: Bulkhead) {
  let permit: Permit | null = null;
  return {
    upstream: { name: 'chat', bulkhead },
    holdPermit(next: Permit) {
      permit = next;
    },
    releasePermit() {
      permit?.release();
      permit = null;
    },
    onCancel: () => () => {},
    /** Ends the attempt, as the response body's end does. */
    finish() {
      this.releasePermit();
    },
  };
}

test('bulkhead stage holds a slot until the attempt ends', async () => {
  const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 0, queueTimeoutMs: 1000 }, 'chat');
  const handler = createBulkheadStage()(async () => {});
  const first = fakeCall(bulkhead);
  await handler(first as unknown as UpstreamCall);
  assert.equal(bulkhead.snapshot().active, 1, 'the slot was given back at the response headers');

  let reached = 0;
  const second = createBulkheadStage()(async () => {
    reached += 1;
  });
  await assert.rejects(second(fakeCall(bulkhead) as unknown as UpstreamCall), (error: unknown) => error instanceof UpstreamFailure && error.kind === 'bulkhead-full');
  assert.equal(reached, 0, 'a rejected call reached the upstream');

  first.finish();
  assert.equal(bulkhead.snapshot().active, 0);
});

test('bulkhead stage gives the slot back when the attempt fails', async () => {
  const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 0, queueTimeoutMs: 1000 }, 'chat');
  const handler = createBulkheadStage()(async () => {
    throw new UpstreamFailure('unavailable', 'refused');
  });
  await assert.rejects(handler(fakeCall(bulkhead) as unknown as UpstreamCall));
  assert.equal(bulkhead.snapshot().active, 0);
});

test('bulkhead stage lets a queued call through when a slot frees', async () => {
  const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 1000 }, 'chat');
  const handler = createBulkheadStage()(async () => {});
  const first = fakeCall(bulkhead);
  await handler(first as unknown as UpstreamCall);
  const queued = handler(fakeCall(bulkhead) as unknown as UpstreamCall);
  assert.equal(bulkhead.snapshot().queued, 1);
  first.finish();
  await queued;
  assert.equal(bulkhead.snapshot().active, 1);
});
