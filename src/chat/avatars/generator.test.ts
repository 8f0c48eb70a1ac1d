import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../common/errors.ts';
import { AVATAR_STYLES, generateAvatar } from './generator.ts';
import { element } from './svg.ts';

const userId = '3f1c9a52-1111-4d6b-9a0e-0123456789ab';

test('same input gives the same bytes', () => {
  for (const style of AVATAR_STYLES) {
    assert.equal(generateAvatar({ userId, style, seed: 's1' }), generateAvatar({ userId, style, seed: 's1' }));
  }
});

test('seed, style and user each change the image', () => {
  const base = generateAvatar({ userId, style: 'robot', seed: 's1' });
  assert.notEqual(generateAvatar({ userId, style: 'robot', seed: 's2' }), base);
  assert.notEqual(generateAvatar({ userId, style: 'pixel', seed: 's1' }), base);
  assert.notEqual(generateAvatar({ userId: 'another-user', style: 'robot', seed: 's1' }), base);
});

test('every style varies across seeds', () => {
  for (const style of AVATAR_STYLES) {
    const images = new Set(Array.from({ length: 10 }, (_, i) => generateAvatar({ userId, style, seed: String(i) })));
    assert.ok(images.size >= 8, `${style}: only ${images.size} distinct images`);
  }
});

test('image is a self-contained SVG without active content', () => {
  const hostile = '"><script>alert(1)</script><image href="http://example.invalid/x.png"/>';
  for (const style of AVATAR_STYLES) {
    const svg = generateAvatar({ userId: hostile, style, seed: hostile });
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" /);
    assert.match(svg, /<\/svg>$/);
    assert.doesNotMatch(svg, /<script|<image|<foreignObject|<use|href|url\(|javascript:|\son\w+=/i);
    assert.doesNotMatch(svg, /alert|example\.invalid/);
  }
});

test('unknown style is rejected with the allowed list', () => {
  assert.throws(
    () => generateAvatar({ userId, style: 'unicorn', seed: 'x' }),
    (error: unknown) =>
      error instanceof AppError &&
      error.code === 'VALIDATION_FAILED' &&
      error.details?.[0]?.field === 'style' &&
      AVATAR_STYLES.every((style) => error.message.includes(style)),
  );
});

test('svg writer escapes values and refuses active attributes', () => {
  assert.equal(element('rect', { fill: '"<&>' }), '<rect fill="&#34;&#60;&#38;&#62;"/>');
  assert.throws(() => element('rect', { onload: 'x' }), TypeError);
  assert.throws(() => element('rect', { href: 'x' }), TypeError);
  assert.throws(() => element('script', {}), TypeError);
});
