import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AVATAR_STYLES as SERVICE_STYLES } from '../../../src/chat/avatars/generator.ts';
import { AVATAR_STYLES } from './avatar-styles.ts';

test('avatar styles match the chat service', () => {
  assert.deepEqual(
    AVATAR_STYLES.map((style) => style.id),
    [...SERVICE_STYLES],
  );
});
