import { SeededRandom } from '../../random.ts';
import type { ChatTurn } from '../provider.ts';
import { createAmbiguityAnalyser } from './analysers/ambiguity.ts';
import { createClaimAnalyser } from './analysers/claims.ts';
import { createGeneralisationAnalyser } from './analysers/generalisations.ts';
import { createGreetingAnalyser } from './analysers/greeting.ts';
import { createMemoryAnalyser } from './analysers/memory.ts';
import { createMisusedTermAnalyser } from './analysers/misused-terms.ts';
import { createQuestionAnalyser } from './analysers/questions.ts';
import type { Analyser, Finding, MessageContext } from './analysers/types.ts';
import { ReplyComposer } from './composer.ts';
import { keywords, splitSentences } from './text.ts';

export function defaultAnalysers(): Analyser[] {
  return [
    createGreetingAnalyser(),
    createMemoryAnalyser(),
    createMisusedTermAnalyser(),
    createGeneralisationAnalyser(),
    createClaimAnalyser(),
    createQuestionAnalyser(),
    createAmbiguityAnalyser(),
  ];
}

/**
 * The built-in Mad Scientist: a rule engine that runs each analyser over the
 * newest user message and its conversation, then lets the composer write the
 * reply. It needs no network and no model files. The reply depends only on
 * the seed and the conversation text, so a fixed seed makes it reproducible.
 */
export class PersonaEngine {
  readonly #analysers: readonly Analyser[];
  readonly #composer: ReplyComposer;

  constructor(analysers: readonly Analyser[] = defaultAnalysers(), composer = new ReplyComposer()) {
    this.#analysers = analysers;
    this.#composer = composer;
  }

  /** Writes the reply to the last user message of `history`. */
  reply(history: readonly ChatTurn[], seed: string): string {
    const context = buildContext(history);
    return this.#composer.compose(this.analyse(context), context, new SeededRandom(randomSeedFor(seed, history)));
  }

  analyse(context: MessageContext): Finding[] {
    return this.#analysers.flatMap((analyser) => analyser.analyse(context));
  }
}

/** Builds the analysers' view of a conversation whose last user message is the one to answer. */
export function buildContext(history: readonly ChatTurn[]): MessageContext {
  let lastUserIndex = history.length - 1;
  while (lastUserIndex >= 0 && history[lastUserIndex].role !== 'user') lastUserIndex -= 1;
  if (lastUserIndex === -1) throw new RangeError('the history contains no user message to reply to');
  const message = history[lastUserIndex].content;
  const earlier = history.slice(0, lastUserIndex);
  const earlierUserMessages = earlier.filter((turn) => turn.role === 'user').map((turn) => turn.content);
  return {
    message,
    sentences: splitSentences(message),
    keywords: keywords(message),
    earlierUserMessages,
    earlierReplies: earlier.filter((turn) => turn.role === 'assistant').map((turn) => turn.content),
    turn: earlierUserMessages.length + 1,
  };
}

/** Mixes the seed with the whole conversation, so each turn draws fresh choices. */
function randomSeedFor(seed: string, history: readonly ChatTurn[]): string {
  return JSON.stringify([seed, history.map((turn) => [turn.role, turn.content])]);
}
