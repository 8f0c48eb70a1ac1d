import { FACTS, type Fact } from '../lexicon/facts.ts';
import { trimClause } from '../text.ts';
import type { Analyser, MessageContext, QuestionFinding } from './types.ts';

/** Reports the first question the message asks, with a stored explanation when one matches. */
export function createQuestionAnalyser(facts: readonly Fact[] = FACTS): Analyser {
  return {
    name: 'questions',
    analyse(context: MessageContext): QuestionFinding[] {
      const question = context.sentences.find((sentence) => sentence.trim().endsWith('?'));
      if (!question) return [];
      return [{ kind: 'question', question: trimClause(question), fact: facts.find((fact) => fact.pattern.test(question)) }];
    },
  };
}
