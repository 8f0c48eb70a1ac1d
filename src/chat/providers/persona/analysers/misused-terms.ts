import { MISUSED_TERMS, type MisusedTerm } from '../lexicon/misused-terms.ts';
import type { Analyser, MessageContext, MisusedTermFinding } from './types.ts';

/** Reports each lexicon term that a sentence of the message uses loosely, once per term. */
export function createMisusedTermAnalyser(terms: readonly MisusedTerm[] = MISUSED_TERMS): Analyser {
  return {
    name: 'misused-terms',
    analyse(context: MessageContext): MisusedTermFinding[] {
      const findings: MisusedTermFinding[] = [];
      for (const term of terms) {
        const match = findLooseUse(term, context.sentences);
        if (match) findings.push({ kind: 'misused-term', term, match });
      }
      return findings;
    },
  };
}

function findLooseUse(term: MisusedTerm, sentences: readonly string[]): string | undefined {
  for (const sentence of sentences) {
    if (term.properUse?.test(sentence)) continue;
    const matches = [...sentence.matchAll(new RegExp(term.pattern.source, 'gi'))].map((m) => m[0]);
    if (matches.length === 0) continue;
    // The longest match quotes the most telling words, such as "just a theory" over "theory".
    return matches.reduce((longest, current) => (current.length > longest.length ? current : longest));
  }
  return undefined;
}
