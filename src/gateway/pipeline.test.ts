import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chain, type UpstreamStage } from './pipeline.ts';
import type { UpstreamCall } from './upstream-call.ts';

function recordingStage(name: string, order: string[]): UpstreamStage {
  return (next) => async (call) => {
    order.push(`${name} in`);
    await next(call);
    order.push(`${name} out`);
  };
}

test('chain runs the first stage outermost', async () => {
  const order: string[] = [];
  const handler = chain([recordingStage('a', order), recordingStage('b', order)], async () => {
    order.push('send');
  });
  await handler({} as UpstreamCall);
  assert.deepEqual(order, ['a in', 'b in', 'send', 'b out', 'a out']);
});

test('chain with no stages is the last handler', async () => {
  let sent = 0;
  const handler = chain([], async () => {
    sent += 1;
  });
  await handler({} as UpstreamCall);
  assert.equal(sent, 1);
});
