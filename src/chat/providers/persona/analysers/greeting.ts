import type { Analyser, GreetingFinding, MessageContext } from './types.ts';

const GREETING = /^\s*(?:hi|hello|hey|hiya|howdy|greetings|good\s+(?:morning|afternoon|evening)|salutations)\b/i;

export function createGreetingAnalyser(): Analyser {
  return {
    name: 'greeting',
    analyse(context: MessageContext): GreetingFinding[] {
      return GREETING.test(context.message) ? [{ kind: 'greeting' }] : [];
    },
  };
}
