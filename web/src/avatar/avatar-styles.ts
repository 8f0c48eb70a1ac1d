/**
 * The avatar styles a user can pick. The chat service has no route that
 * lists them, so this list repeats the service's own.
 *
 * NOTE: placeholder names until they are checked against the chat service's
 * style list; a name it does not know fails with VALIDATION_FAILED.
 */
export const AVATAR_STYLES = [
  { id: 'mad-scientist', label: 'Mad scientist' },
  { id: 'robot', label: 'Robot' },
  { id: 'alien', label: 'Alien' },
] as const;
