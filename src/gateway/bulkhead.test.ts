import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bulkhead, type Cancellable } from './bulkhead.ts';
import { UpstreamFailure } from './upstream-errors.ts';

/** Builds a request that the test cancels by hand. */
function cancellable(): Cancellable & { cancel(reason: UpstreamFailure): void } {
  const listeners: Array<(reason: UpstreamFailure) => void> = [];
  return {
    onCancel(listener) {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
    cancel(reason) {
      for (const listener of [...listeners]) listener(reason);
    },
  };
}

const isBulkheadFull = (error: unknown) => error instanceof UpstreamFailure && error.kind === 'bulkhead-full' && error.retryAfterSeconds === 1;

test('bulkhead admits up to its cap, then queues', async () => {
  const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueue: 1, queueTimeoutMs: 1000 }, 'chat');
  assert.equal(bulkhead.tryAcquire(), true);
  assert.equal(bulkhead.tryAcquire(), true);
  assert.equal(bulkhead.tryAcquire(), false);
  const queued = bulkhead.acquire(cancellable());
  assert.deepEqual(bulkhead.snapshot(), { active: 2, queued: 1, max_concurrent: 2, max_queue: 1, total_rejected: 0 });
  bulkhead.release();
  await queued;
  assert.equal(bulkhead.snapshot().active, 2, 'the queued call did not take over the slot');
  bulkhead.release();
  bulkhead.release();
  assert.equal(bulkhead.snapshot().active, 0);
});

test('bulkhead rejects at once when the queue is full', async () => {
  const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 1000 }, 'chat');
  bulkhead.tryAcquire();
  const queued = bulkhead.acquire(cancellable());
  await assert.rejects(bulkhead.acquire(cancellable()), isBulkheadFull);
  assert.equal(bulkhead.snapshot().total_rejected, 1);
  bulkhead.release();
  await queued;
});

test('bulkhead queue wait ends at its timeout', async () => {
  const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 4, queueTimeoutMs: 30 }, 'auth');
  bulkhead.tryAcquire();
  await assert.rejects(bulkhead.acquire(cancellable()), isBulkheadFull);
  assert.equal(bulkhead.snapshot().queued, 0);
});

test('bulkhead queue wait ends when the request is cancelled', async () => {
  const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 4, queueTimeoutMs: 5000 }, 'auth');
  bulkhead.tryAcquire();
  const request = cancellable();
  const waiting = bulkhead.acquire(request);
  const reason = new UpstreamFailure('client-closed', 'gone');
  request.cancel(reason);
  await assert.rejects(waiting, (error) => error === reason);
  assert.equal(bulkhead.snapshot().queued, 0);
  // The slot goes back to the pool, not to the cancelled waiter.
  bulkhead.release();
  assert.equal(bulkhead.snapshot().active, 0);
});

test('bulkhead serves its queue first come, first served', async () => {
  const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 3, queueTimeoutMs: 1000 }, 'auth');
  bulkhead.tryAcquire();
  const order: number[] = [];
  const waits = [1, 2, 3].map((id) => bulkhead.acquire(cancellable()).then(() => order.push(id)));
  for (let index = 0; index < 3; index += 1) {
    bulkhead.release();
    await waits[index];
  }
  assert.deepEqual(order, [1, 2, 3]);
});
