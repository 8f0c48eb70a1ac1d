import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateWholeReply } from '../provider.ts';
import { PersonaProvider, splitIntoWords } from './provider.ts';

const history = [{ role: 'user' as const, content: 'All swans are white.' }];

test('streamed words join back to the whole reply', async () => {
  const provider = new PersonaProvider({ seed: 3, streamDelayMs: 0 });
  const chunks: string[] = [];
  for await (const chunk of provider.generate(history, { stream: true })) chunks.push(chunk);
  assert.ok(chunks.length > 10, `expected many chunks, got ${chunks.length}`);
  assert.equal(chunks.join(''), await generateWholeReply(provider, history));
});

test('without a seed, replies vary between calls', async () => {
  const provider = new PersonaProvider({ streamDelayMs: 0 });
  const replies = new Set<string>();
  for (let i = 0; i < 10; i += 1) replies.add(await generateWholeReply(provider, history));
  assert.ok(replies.size > 1);
});

test('abort stops the stream between words', async () => {
  const provider = new PersonaProvider({ seed: 3, streamDelayMs: 20 });
  const controller = new AbortController();
  const chunks: string[] = [];
  await assert.rejects(async () => {
    for await (const chunk of provider.generate(history, { stream: true, signal: controller.signal })) {
      chunks.push(chunk);
      if (chunks.length === 2) controller.abort();
    }
  }, { name: 'AbortError' });
  assert.equal(chunks.length, 2);
});

test('splitIntoWords keeps every character', () => {
  const text = 'Eureka!  Two spaces\n\nand a paragraph.';
  assert.equal(splitIntoWords(text).join(''), text);
  assert.deepEqual(splitIntoWords('one two'), ['one ', 'two']);
});
