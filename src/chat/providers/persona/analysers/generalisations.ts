import { COUNTEREXAMPLES, type Counterexample } from '../lexicon/counterexamples.ts';
import type { Analyser, GeneralisationFinding, MessageContext } from './types.ts';

const QUANTIFIER = /\b(always|never|all|every|everyone|everybody|everything|nobody|no\s+one|nothing|none|impossible|forever)\b/i;
/** Idioms that contain a quantifier without claiming anything universal. */
const IDIOMS = /\b(?:at\s+all|all\s+right|after\s+all|all[-\s]natural|all\s+of\s+a\s+sudden|all\s+in\s+all|for\s+all\s+i\s+know|all\s+the\s+best|thank\w*\s+\w+\s+for\s+everything|nothing\s+much|never\s+mind)\b/gi;
const ABOUT_PEOPLE = /^(?:everyone|everybody|nobody|no\s+one)$/i;

/** Reports the first sentence that makes a universal claim, with a known counterexample when one applies. */
export function createGeneralisationAnalyser(counterexamples: readonly Counterexample[] = COUNTEREXAMPLES): Analyser {
  return {
    name: 'generalisations',
    analyse(context: MessageContext): GeneralisationFinding[] {
      for (const sentence of context.sentences) {
        const match = QUANTIFIER.exec(sentence.replace(IDIOMS, ' '));
        if (!match) continue;
        const quantifier = match[1].replace(/\s+/g, ' ').toLowerCase();
        return [
          {
            kind: 'generalisation',
            quantifier,
            sentence,
            counterexample: counterexamples.find((entry) => entry.pattern.test(sentence)),
            aboutPeople: ABOUT_PEOPLE.test(quantifier),
          },
        ];
      }
      return [];
    },
  };
}
