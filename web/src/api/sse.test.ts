import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readServerSentEvents, SseParser } from './sse.ts';

const stream = 'event: delta\ndata: {"text":"Eureka"}\n\nevent: done\ndata: {"ok":true}\n\n';

test('parser splits events at blank lines', () => {
  const events = new SseParser().push(stream);
  assert.deepEqual(
    events.map((event) => [event.event, event.data]),
    [
      ['delta', '{"text":"Eureka"}'],
      ['done', '{"ok":true}'],
    ],
  );
});

test('parser joins events split at every character', () => {
  const parser = new SseParser();
  const events = [...stream].flatMap((char) => parser.push(char));
  assert.equal(events.length, 2);
  assert.equal(events[0].data, '{"text":"Eureka"}');
  assert.equal(events[1].event, 'done');
});

test('parser treats CRLF split across chunks as one line end', () => {
  const parser = new SseParser();
  const events = [...parser.push('event: delta\r'), ...parser.push('\ndata: a\r'), ...parser.push('\n\r'), ...parser.push('\n')];
  assert.equal(events.length, 1);
  assert.equal(events[0].event, 'delta');
  assert.equal(events[0].data, 'a');
});

test('parser accepts lone CR line ends', () => {
  const parser = new SseParser();
  // The final CR could still be followed by LF, so only the end of the stream completes the event.
  assert.deepEqual(parser.push('data: one\rdata: two\r\r'), []);
  const events = parser.finish();
  assert.equal(events.length, 1);
  assert.equal(events[0].data, 'one\ntwo');
});

test('parser ignores comments and unknown fields', () => {
  const events = new SseParser().push(': keep-alive\nretry: 1000\nfoo: bar\ndata:x\n\n');
  assert.equal(events.length, 1);
  assert.equal(events[0].event, 'message');
  assert.equal(events[0].data, 'x');
});

test('parser drops events with no data', () => {
  assert.deepEqual(new SseParser().push('event: ping\n\n'), []);
});

test('parser keeps the last event id', () => {
  const events = new SseParser().push('id: 7\ndata: a\n\ndata: b\n\n');
  assert.equal(events[0].id, '7');
  assert.equal(events[1].id, '7');
});

test('parser drops an unterminated event at the end', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push('data: cut off'), []);
  assert.deepEqual(parser.finish(), []);
});

test('parser strips a leading byte order mark', () => {
  const events = new SseParser().push('\uFEFFevent: delta\ndata: a\n\n');
  assert.equal(events[0].event, 'delta');
});

test('reader decodes UTF-8 split inside a character', async () => {
  const bytes = new TextEncoder().encode('event: delta\ndata: {"text":"Zündung ⚗️"}\n\n');
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // Byte-sized chunks cut every multi-byte character in the middle.
      for (const byte of bytes) controller.enqueue(Uint8Array.of(byte));
      controller.close();
    },
  });
  const events = [];
  for await (const event of readServerSentEvents(body)) events.push(event);
  assert.equal(events.length, 1);
  assert.equal(JSON.parse(events[0].data).text, 'Zündung ⚗️');
});

test('reader cancels the body when the consumer stops early', async () => {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('data: first\n\n'));
    },
    cancel() {
      cancelled = true;
    },
  });
  for await (const event of readServerSentEvents(body)) {
    assert.equal(event.data, 'first');
    break;
  }
  assert.equal(cancelled, true);
});
