/**
 * The avatar styles a user can pick. The chat service has no route that
 * lists them, so this list repeats its AVATAR_STYLES; a test keeps the two
 * in step.
 */
export const AVATAR_STYLES = [
  { id: 'scientist', label: 'Mad scientist' },
  { id: 'robot', label: 'Robot' },
  { id: 'pixel', label: 'Pixel art' },
  { id: 'potion', label: 'Potion' },
] as const;
