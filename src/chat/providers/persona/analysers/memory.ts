import { keywords, shorten, words } from '../text.ts';
import type { Analyser, CallbackFinding, MessageContext } from './types.ts';

const QUOTE_LENGTH = 70;
/** Words after which the next word or the one after it is probably a noun: "the weather", "my new diet". */
const DETERMINERS = new Set('the a an my your our their his her its this that these those all some every most many no'.split(' '));

/**
 * Finds a topic from the user's earlier messages to refer back to: a topic
 * that the new message repeats when there is one, otherwise the most
 * prominent topic of the previous user message.
 */
export function createMemoryAnalyser(): Analyser {
  return {
    name: 'memory',
    analyse(context: MessageContext): CallbackFinding[] {
      if (context.earlierUserMessages.length === 0) return [];
      const current = new Set(context.keywords.map((keyword) => keyword.key));

      // The most recent earlier message that shares a topic with the new one.
      for (const message of [...context.earlierUserMessages].reverse()) {
        const shared = keywords(message).find((keyword) => current.has(keyword.key));
        if (shared) return [{ kind: 'callback', topic: shared.text, quote: quoteOf(message), recurring: true }];
      }

      // The previous message's topic keeps the callback close to where the talk just was.
      const previous = context.earlierUserMessages.slice(-1);
      const topic = mostProminentTopic(previous) ?? mostProminentTopic(context.earlierUserMessages);
      if (!topic) return [];
      return [{ kind: 'callback', topic: topic.text, quote: quoteOf(topic.message), recurring: false }];
    },
  };
}

function quoteOf(message: string): string {
  return shorten(message, QUOTE_LENGTH).replace(/[.\s]+$/, '');
}

interface ScoredTopic {
  key: string;
  text: string;
  message: string;
  score: number;
}

/**
 * Scores each keyword of the earlier messages: one point per mention, three
 * more when a determiner precedes it (a likely noun), two more when it opens
 * its sentence (a likely subject). Ties go to the earlier topic.
 */
function mostProminentTopic(messages: readonly string[]): ScoredTopic | undefined {
  const topics = new Map<string, ScoredTopic>();
  for (const message of messages) {
    const allWords = words(message).map((word) => word.toLowerCase());
    const found = keywords(message);
    for (const [position, keyword] of found.entries()) {
      const index = allWords.indexOf(keyword.text);
      const afterDeterminer = [allWords[index - 1], allWords[index - 2]].some((word) => word !== undefined && DETERMINERS.has(word));
      const score = 1 + (afterDeterminer ? 3 : 0) + (position === 0 ? 2 : 0) - (/(?:ly|ed)$/.test(keyword.text) ? 2 : 0);
      const entry = topics.get(keyword.key);
      if (entry) entry.score += score;
      else topics.set(keyword.key, { key: keyword.key, text: keyword.text, message, score });
    }
  }
  let best: ScoredTopic | undefined;
  for (const topic of topics.values()) {
    if (!best || topic.score > best.score) best = topic;
  }
  return best;
}
