import { FACTS, type Fact } from '../lexicon/facts.ts';
import { trimClause } from '../text.ts';
import type { Analyser, MessageContext, QuestionFinding } from './types.ts';

/** A request phrased as a command, such as "Explain entropy" or "Tell me about tides", is a question too. */
const REQUEST_PATTERN = /^\s*(?:please\s+)?(?:explain|describe|define|tell\s+me\s+(?:about|why|how)|teach\s+me)\b/i;

/** Reports the first question the message asks, with a stored explanation when one matches. */
export function createQuestionAnalyser(facts: readonly Fact[] = FACTS): Analyser {
  return {
    name: 'questions',
    analyse(context: MessageContext): QuestionFinding[] {
      const question = context.sentences.find((sentence) => sentence.trim().endsWith('?') || REQUEST_PATTERN.test(sentence));
      if (!question) return [];
      return [{ kind: 'question', question: trimClause(question), fact: facts.find((fact) => fact.pattern.test(question)) }];
    },
  };
}
