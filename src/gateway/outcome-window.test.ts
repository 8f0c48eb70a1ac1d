import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutcomeWindow } from './outcome-window.ts';

test('outcome window counts failures and slow calls', () => {
  const window = new OutcomeWindow(4);
  window.record(true, false);
  window.record(false, true);
  window.record(true, true);
  assert.equal(window.calls, 3);
  assert.equal(window.failures, 2);
  assert.equal(window.slowCalls, 2);
  assert.equal(Math.round(window.failureRate), 67);
});

test('outcome window evicts the oldest call once full', () => {
  const window = new OutcomeWindow(3);
  window.record(true, true);
  window.record(false, false);
  window.record(false, false);
  window.record(false, false);
  assert.equal(window.calls, 3);
  assert.equal(window.failures, 0);
  assert.equal(window.slowCalls, 0);
  for (let index = 0; index < 7; index += 1) window.record(true, false);
  assert.equal(window.failures, 3);
  assert.equal(window.failureRate, 100);
});

test('outcome window clear starts over', () => {
  const window = new OutcomeWindow(2);
  window.record(true, true);
  window.clear();
  assert.equal(window.calls, 0);
  assert.equal(window.failureRate, 0);
  window.record(false, false);
  assert.equal(window.failures, 0);
});

test('outcome window rejects a size below 1', () => {
  assert.throws(() => new OutcomeWindow(0), TypeError);
});
