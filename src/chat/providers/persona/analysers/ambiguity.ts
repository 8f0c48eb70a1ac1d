import { VAGUE_WORDS, type VagueWord } from '../lexicon/vague-words.ts';
import type { AmbiguityFinding, Analyser, MessageContext } from './types.ts';

/** Reports every vague word of the message, in the order they appear. */
export function createAmbiguityAnalyser(vocabulary: readonly VagueWord[] = VAGUE_WORDS): Analyser {
  return {
    name: 'ambiguity',
    analyse(context: MessageContext): AmbiguityFinding[] {
      const found: Array<AmbiguityFinding & { index: number }> = [];
      for (const entry of vocabulary) {
        const match = entry.pattern.exec(context.message);
        if (match) found.push({ kind: 'ambiguity', entry, match: match[0], index: match.index });
      }
      return found.sort((a, b) => a.index - b.index).map(({ index: _index, ...finding }) => finding);
    },
  };
}
