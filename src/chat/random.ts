import { createHash } from 'node:crypto';

/**
 * A deterministic pseudo-random number source: SHA-256 in counter mode over
 * the seed text. The same seed always yields the same sequence on every
 * platform, which the persona engine and the avatar generator rely on.
 * It is not meant for secrets.
 */
export class SeededRandom {
  readonly #seed: string;
  #counter = 0;
  #block: Buffer = Buffer.alloc(0);
  #offset = 0;

  constructor(seed: string) {
    this.#seed = seed;
  }

  /** Returns an integer in [0, 2^32). */
  nextUint32(): number {
    if (this.#offset + 4 > this.#block.length) {
      this.#block = createHash('sha256').update(`${this.#seed}\u0000${this.#counter}`).digest();
      this.#counter += 1;
      this.#offset = 0;
    }
    const value = this.#block.readUInt32BE(this.#offset);
    this.#offset += 4;
    return value;
  }

  /** Returns a number in [0, 1). */
  next(): number {
    return this.nextUint32() / 2 ** 32;
  }

  /** Returns an integer from `min` to `max`, both included. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Returns true with probability `probability`. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[this.integer(0, items.length - 1)];
  }

  /** Picks an item, avoiding those for which `avoid` returns true unless every item is avoided. */
  pickAvoiding<T>(items: readonly T[], avoid: (item: T) => boolean): T {
    const allowed = items.filter((item) => !avoid(item));
    return this.pick(allowed.length > 0 ? allowed : items);
  }

  /** Returns a shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = this.integer(0, i);
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }

  /** Derives an independent source, so one consumer's draws do not shift another's. */
  fork(label: string): SeededRandom {
    return new SeededRandom(`${this.#seed}\u0001${label}`);
  }
}
