import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent, traceIdFromHeader } from './trace-context.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

test('traceparent version 00 parses', () => {
  assert.deepEqual(parseTraceparent(`00-${TRACE_ID}-${PARENT_ID}-01`), { traceId: TRACE_ID, parentId: PARENT_ID, flags: '01' });
  assert.equal(traceIdFromHeader(`00-${TRACE_ID}-${PARENT_ID}-00`), TRACE_ID);
});

test('traceparent of a later version keeps its first fields', () => {
  assert.deepEqual(parseTraceparent(`01-${TRACE_ID}-${PARENT_ID}-01-extra`), { traceId: TRACE_ID, parentId: PARENT_ID, flags: '01' });
});

test('traceparent rejects invalid values', () => {
  const invalid = [
    undefined,
    '',
    `00-${TRACE_ID}-${PARENT_ID}`,
    `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`,
    `00-${'0'.repeat(32)}-${PARENT_ID}-01`,
    `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
    `ff-${TRACE_ID}-${PARENT_ID}-01`,
    `00-${TRACE_ID}-${PARENT_ID}-01-extra`,
    `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`,
    ` 00-${TRACE_ID}-${PARENT_ID}-01`,
    [`00-${TRACE_ID}-${PARENT_ID}-01`, `00-${TRACE_ID}-${PARENT_ID}-01`],
  ];
  for (const value of invalid) assert.equal(parseTraceparent(value), null, JSON.stringify(value));
});

test('new trace ids are valid and distinct', () => {
  const traceIds = new Set<string>();
  const spanIds = new Set<string>();
  // More ids than one refill of the random pool holds, so the refill is exercised too.
  for (let index = 0; index < 300; index += 1) {
    const traceId = newTraceId();
    const spanId = newSpanId();
    assert.ok(parseTraceparent(formatTraceparent(traceId, spanId, '00')), `${traceId} ${spanId}`);
    traceIds.add(traceId);
    spanIds.add(spanId);
  }
  assert.equal(traceIds.size, 300);
  assert.equal(spanIds.size, 300);
});
