import { FACTS, type Fact } from '../lexicon/facts.ts';
import { VAGUE_WORDS } from '../lexicon/vague-words.ts';
import { capitalise, reflectPronouns, trimClause, words } from '../text.ts';
import type { Analyser, ClaimFinding, MessageContext } from './types.ts';

/** Openings that announce a claim without being part of it. */
const HEDGES =
  /^(?:(?:i\s+(?:really\s+)?(?:think|believe|reckon|know|suspect|feel)|i'm\s+(?:sure|certain|convinced)|i\s+am\s+(?:sure|certain|convinced)|everyone\s+knows|everybody\s+knows|it'?s\s+(?:a\s+fact|obvious|well\s+known)|it\s+is\s+(?:a\s+fact|obvious|well\s+known)|obviously|clearly|honestly|apparently|actually|well|so|i\s+(?:have|had|got)\s+an?\s+(?:\w+\s+)?(?:theory|hypothesis|hunch|feeling|idea|suspicion)|my\s+(?:\w+\s+)?(?:theory|hypothesis|hunch|guess)\s+is|i(?:'ve|\s+have)?\s+(?:heard|read)|they\s+say|studies\s+show|science\s+says)\b[\s,]*(?:that\s+)?)+/i;

/** Subject, linking verb and object of a simple declarative sentence. */
const CLAIM =
  /^(.{1,60}?)\s+(is|are|was|were|am|can|will|causes?|caused|makes?|made|cures?|cured|prevents?|leads?\s+to|led\s+to|improves?|increases?|reduces?|boosts?|kills?|helps?|gives?|needs?|controls?)\s+(.{2,100})$/i;

const FUNCTION_WORDS = new Set(
  'the a an all most some many every my our your his her their this that these those it there people everyone everybody nobody no each any'.split(' '),
);

/** Reports the first sentence of the message that states a claim, rephrased as a question. */
export function createClaimAnalyser(facts: readonly Fact[] = FACTS): Analyser {
  return {
    name: 'claims',
    analyse(context: MessageContext): ClaimFinding[] {
      const conversation = [...context.earlierUserMessages, context.message].join(' ');
      for (const sentence of context.sentences) {
        if (sentence.trim().endsWith('?')) continue;
        const claim = parseClaim(sentence, conversation);
        if (claim) return [{ ...claim, fact: facts.find((fact) => fact.pattern.test(sentence)) }];
      }
      return [];
    },
  };
}

/** Splits a declarative sentence into a claim and builds the yes/no question that tests it. */
export function parseClaim(sentence: string, conversation = sentence): Omit<ClaimFinding, 'fact'> | undefined {
  const body = trimClause(sentence).replace(HEDGES, '');
  const match = CLAIM.exec(body);
  if (!match) return undefined;
  const [, rawSubject, rawVerb, fullObject] = match;
  // A run-on sentence keeps only its first clause: "X is Y, and it did Z" asks about Y.
  const rawObject = fullObject.split(/[,;:]|\s+(?:but|because|so|although)\s+/)[0].trim();
  if (rawSubject.includes(',') || rawObject.length < 2) return undefined;
  if (words(rawSubject).length === 0 || words(rawSubject).length > 6 || words(rawObject).length > 14) return undefined;

  const subject = reflectPronouns(lowercaseCommonStart(rawSubject, conversation));
  const object = reflectPronouns(rawObject);
  const verb = rawVerb.toLowerCase().replace(/\s+/g, ' ');
  return { kind: 'claim', sentence, subject, object, question: questionFor(subject, verb, object) };
}

function questionFor(subject: string, verb: string, object: string): string {
  if (/^(?:is|are|was|were|am)$/.test(verb)) {
    return `${capitalise(beVerbFor(subject, verb))} ${subject} really ${object}?`;
  }
  if (verb === 'can' || verb === 'will') return `${capitalise(verb)} ${subject} really ${object}?`;
  const [head, ...rest] = verb.split(' ');
  const tail = rest.length > 0 ? ` ${rest.join(' ')}` : '';
  if (/ed$/.test(head) || head === 'made' || head === 'led') {
    return `Did ${subject} really ${baseOfPast(head)}${tail} ${object}?`;
  }
  if (/s$/.test(head)) {
    const base = /(?:ch|sh|ss|x|o)es$/.test(head) ? head.slice(0, -2) : head.slice(0, -1);
    return `Does ${subject} really ${base}${tail} ${object}?`;
  }
  return `Do ${subject} really ${head}${tail} ${object}?`;
}

/** Returns the form of "to be" that agrees with the (already reflected) subject. */
function beVerbFor(subject: string, verb: string): string {
  const lower = subject.toLowerCase();
  if (lower === 'i') return verb === 'was' || verb === 'were' ? 'was' : 'am';
  if (lower === 'you' || lower === 'we' || lower === 'they') return verb === 'was' || verb === 'were' ? 'were' : 'are';
  return verb === 'am' ? 'are' : verb;
}

function baseOfPast(verb: string): string {
  if (verb === 'made') return 'make';
  if (verb === 'led') return 'lead';
  if (verb.endsWith('ied')) return `${verb.slice(0, -3)}y`;
  if (/(?:us|ur|ov|at|ag|iz|is|rv|ed|uc|ar)ed$/.test(verb)) return verb.slice(0, -1);
  return verb.slice(0, -2);
}

/**
 * Lower-cases the first word when it is a common word, so the question reads
 * naturally mid-sentence, but keeps names such as "Einstein" capitalised.
 */
function lowercaseCommonStart(subject: string, conversation: string): string {
  const first = words(subject)[0] ?? '';
  const lower = first.toLowerCase();
  if (first === 'I') return subject;
  const appearsInLowerCase = new RegExp(`(?:^|[^A-Za-z])${lower}(?:[^A-Za-z]|$)`).test(conversation);
  const isVagueWord = VAGUE_WORDS.some((entry) => entry.pattern.test(first));
  if (FUNCTION_WORDS.has(lower) || isVagueWord || appearsInLowerCase) return subject.replace(first, lower);
  return subject;
}
