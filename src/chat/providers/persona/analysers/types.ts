import type { Counterexample } from '../lexicon/counterexamples.ts';
import type { Fact } from '../lexicon/facts.ts';
import type { MisusedTerm } from '../lexicon/misused-terms.ts';
import type { VagueWord } from '../lexicon/vague-words.ts';
import type { Keyword } from '../text.ts';

/** The analysers' view of the newest user message and of the conversation before it. */
export interface MessageContext {
  message: string;
  sentences: readonly string[];
  keywords: readonly Keyword[];
  /** The user's earlier messages in this conversation, oldest first. */
  earlierUserMessages: readonly string[];
  /** The persona's earlier replies in this conversation, oldest first. */
  earlierReplies: readonly string[];
  /** 1 for the first user message of a conversation. */
  turn: number;
}

export interface MisusedTermFinding {
  kind: 'misused-term';
  term: MisusedTerm;
  /** The words of the message that use the term loosely. */
  match: string;
}

export interface AmbiguityFinding {
  kind: 'ambiguity';
  entry: VagueWord;
  /** The form of the word in the message. */
  match: string;
}

export interface GeneralisationFinding {
  kind: 'generalisation';
  /** The universal word, such as "all" or "never", as written. */
  quantifier: string;
  sentence: string;
  /** A known exception, when the lexicon has one for the subject. */
  counterexample?: Counterexample;
  /** True for quantifiers over people ("everyone", "nobody"). */
  aboutPeople: boolean;
}

export interface ClaimFinding {
  kind: 'claim';
  sentence: string;
  subject: string;
  object: string;
  /** The claim rephrased as a yes/no question addressed to the user. */
  question: string;
  fact?: Fact;
}

export interface QuestionFinding {
  kind: 'question';
  question: string;
  fact?: Fact;
}

export interface CallbackFinding {
  kind: 'callback';
  /** The topic word as the user wrote it earlier. */
  topic: string;
  /** An excerpt of the earlier message that mentioned the topic. */
  quote: string;
  /** True when the new message mentions the topic again. */
  recurring: boolean;
}

export interface GreetingFinding {
  kind: 'greeting';
}

export type Finding =
  | MisusedTermFinding
  | AmbiguityFinding
  | GeneralisationFinding
  | ClaimFinding
  | QuestionFinding
  | CallbackFinding
  | GreetingFinding;

/** One rule of the engine: reads the context and reports what it noticed. */
export interface Analyser {
  readonly name: string;
  analyse(context: MessageContext): Finding[];
}
