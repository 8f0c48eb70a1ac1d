import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatTurn, GenerateOptions, ReplyProvider } from '../provider.ts';
import { PersonaEngine } from './engine.ts';

export interface PersonaProviderOptions {
  /** Fixed seed; without it every reply draws a fresh random seed. */
  seed?: number;
  /** Pause in ms between streamed words, so clients see the reply being written. */
  streamDelayMs: number;
  engine?: PersonaEngine;
}

/** The built-in reply provider: the persona engine, streamed word by word. */
export class PersonaProvider implements ReplyProvider {
  readonly name = 'persona';
  readonly #seed?: number;
  readonly #delayMs: number;
  readonly #engine: PersonaEngine;

  constructor(options: PersonaProviderOptions) {
    this.#seed = options.seed;
    this.#delayMs = options.streamDelayMs;
    this.#engine = options.engine ?? new PersonaEngine();
  }

  async *generate(history: readonly ChatTurn[], options: GenerateOptions = {}): AsyncIterable<string> {
    const { signal } = options;
    signal?.throwIfAborted();
    const seed = this.#seed === undefined ? randomBytes(8).toString('hex') : String(this.#seed);
    const text = this.#engine.reply(history, seed);
    if (!options.stream) {
      yield text;
      return;
    }
    const chunks = splitIntoWords(text);
    for (let index = 0; index < chunks.length; index += 1) {
      if (index > 0 && this.#delayMs > 0) await sleep(this.#delayMs, undefined, { signal });
      signal?.throwIfAborted();
      yield chunks[index];
    }
  }
}

/** Splits text into words that keep their trailing whitespace, so the chunks join back to the text. */
export function splitIntoWords(text: string): string[] {
  const chunks = text.match(/\s*\S+\s*/g) ?? [];
  return chunks.length > 0 ? chunks : [text];
}
