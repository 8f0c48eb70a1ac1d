/**
 * A coarse check that a configured secret was generated rather than typed.
 * It cannot measure entropy. It catches the values people put in examples and
 * quick starts: short strings, placeholder words, one character repeated, or a
 * short pattern repeated.
 */

/** Shortest secret accepted in production: 32 bytes, the HS256 key size (RFC 7518, section 3.2). */
export const MIN_SECRET_LENGTH = 32;

/** Words found in example and placeholder secrets; a generated secret contains none of them by chance. */
const PLACEHOLDER_WORDS = ['secret', 'changeme', 'change-me', 'change_me', 'password', 'example', 'default', 'placeholder', 'replace', 'insecure', 'jwtkey'];

/** Minimum number of distinct characters in a secret; 32 random base64url characters have about 25 on average. */
const MIN_DISTINCT_CHARACTERS = 10;

/** Returns why `secret` looks weak, or undefined when it passes every check. */
export function weakSecretReason(secret: string): string | undefined {
  if (secret.length < MIN_SECRET_LENGTH) return `too short: expected at least ${MIN_SECRET_LENGTH} characters`;
  const lower = secret.toLowerCase();
  const word = PLACEHOLDER_WORDS.find((candidate) => lower.includes(candidate));
  if (word) return `contains the placeholder word "${word}": generate a random value instead`;
  if (new Set(secret).size < MIN_DISTINCT_CHARACTERS) {
    return `uses fewer than ${MIN_DISTINCT_CHARACTERS} distinct characters: generate a random value instead`;
  }
  if (isRepetition(secret)) return 'repeats a short pattern: generate a random value instead';
  return undefined;
}

/** True when the secret is one block of at most 16 characters written again and again. */
function isRepetition(secret: string): boolean {
  for (let size = 1; size <= 16; size += 1) {
    const block = secret.slice(0, size);
    if (block.repeat(Math.ceil(secret.length / size)).slice(0, secret.length) === secret) return true;
  }
  return false;
}
