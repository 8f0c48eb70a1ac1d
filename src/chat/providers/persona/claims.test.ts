import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClaim } from './analysers/claims.ts';
import { keywords, reflectPronouns, shorten } from './text.ts';

test('claim about the speaker is addressed back to them', () => {
  assert.equal(parseClaim('My cat is smarter than me.')?.question, 'Is your cat really smarter than you?');
  assert.equal(parseClaim('I am always right.')?.question, 'Are you really always right?');
});

test('claim with an action verb becomes a do/does question', () => {
  assert.equal(parseClaim('Sugar causes hyperactivity.')?.question, 'Does Sugar really cause hyperactivity?');
  assert.equal(parseClaim('the vaccines cause autism')?.question, 'Do the vaccines really cause autism?');
  assert.equal(parseClaim('The storm caused the flood.')?.question, 'Did the storm really cause the flood?');
});

test('hedges before a claim are dropped', () => {
  assert.equal(parseClaim('I think that the moon is made of cheese.')?.question, 'Is the moon really made of cheese?');
  assert.equal(parseClaim('I have a hunch that cats control the weather.')?.question, 'Do cats really control the weather?');
});

test('run-on claim keeps its first clause', () => {
  assert.equal(parseClaim('The diet is healthy, and I lost weight.')?.question, 'Is the diet really healthy?');
});

test('questions and fragments are not claims', () => {
  assert.equal(parseClaim('Hello there'), undefined);
  assert.equal(parseClaim('Why not'), undefined);
});

test('pronoun reflection swaps speaker and listener', () => {
  assert.equal(reflectPronouns('my friends and I'), 'your friends and you');
  assert.equal(reflectPronouns('we trust our instruments'), 'you trust your instruments');
  assert.equal(parseClaim('You are wrong about me.')?.question, 'Am I really wrong about you?');
});

test('keywords skip stop words and merge plurals', () => {
  assert.deepEqual(
    keywords('The swans and the swan were really quite white').map((keyword) => keyword.key),
    ['swan', 'white'],
  );
});

test('shorten cuts at a word boundary', () => {
  assert.equal(shorten('one two three four five six', 15), 'one two three…');
  assert.equal(shorten('short', 15), 'short');
});
