import type { SeededRandom } from '../../random.ts';
import type {
  AmbiguityFinding,
  CallbackFinding,
  ClaimFinding,
  Finding,
  GeneralisationFinding,
  MessageContext,
  MisusedTermFinding,
  QuestionFinding,
} from './analysers/types.ts';
import { capitalise, fillTemplate, listWithOr, shorten, trimClause } from './text.ts';
import * as voice from './templates.ts';

/** Maximum number of body sections in one reply, so a message full of findings still gets a readable reply. */
const MAX_BODY_SECTIONS = 5;
const MAX_SENSES = 3;

type SectionKind = 'callback' | 'correction' | 'generalisation' | 'inquiry' | 'ambiguity';
/** The order in which sections appear in the reply, whatever their priority. */
const DISPLAY_ORDER: readonly SectionKind[] = ['callback', 'correction', 'generalisation', 'inquiry', 'ambiguity'];

interface Section {
  kind: SectionKind;
  text: string;
}

/**
 * Turns the analysers' findings into the reply text: an opener, the body
 * sections in a fixed order, and a closing line. Every choice draws from its
 * own fork of the random source, so the same findings and seed always give
 * the same text.
 */
export class ReplyComposer {
  compose(findings: readonly Finding[], context: MessageContext, random: SeededRandom): string {
    const previousReply = context.earlierReplies.at(-1) ?? '';
    const choose = (label: string, templates: readonly string[]): string =>
      random.fork(label).pickAvoiding(templates, (template) => templateAppearsIn(template, previousReply));

    const body = this.#bodySections(findings, context, choose, random);
    const opener = this.#opener(findings, context, choose, random);
    const closer = this.#closer(body, choose, random);

    const paragraphs = body.map((section) => section.text);
    paragraphs[0] = `${opener} ${paragraphs[0]}`;
    paragraphs[paragraphs.length - 1] = `${paragraphs[paragraphs.length - 1]} ${closer}`;
    return paragraphs.join('\n\n');
  }

  #bodySections(
    findings: readonly Finding[],
    context: MessageContext,
    choose: (label: string, templates: readonly string[]) => string,
    random: SeededRandom,
  ): Section[] {
    const callback = findings.find((f): f is CallbackFinding => f.kind === 'callback');
    const corrections = findings.filter((f): f is MisusedTermFinding => f.kind === 'misused-term').slice(0, 2);
    const generalisation = findings.find((f): f is GeneralisationFinding => f.kind === 'generalisation');
    const claim = findings.find((f): f is ClaimFinding => f.kind === 'claim');
    const question = findings.find((f): f is QuestionFinding => f.kind === 'question');
    const ambiguity = pickAmbiguity(findings, corrections, random.fork('ambiguity-word'));

    // Listed by priority: the first MAX_BODY_SECTIONS make it into the reply.
    const candidates: Array<Section | undefined> = [
      callback && { kind: 'callback', text: this.#callback(callback, choose) },
      corrections[0] && { kind: 'correction', text: this.#correction(corrections[0], random.fork('correction-0')) },
      generalisation && { kind: 'generalisation', text: this.#generalisation(generalisation, choose) },
      this.#inquiry(claim, question, generalisation, choose),
      ambiguity && { kind: 'ambiguity', text: this.#ambiguity(ambiguity, choose, random.fork('senses')) },
      corrections[1] && { kind: 'correction', text: this.#correction(corrections[1], random.fork('correction-1')) },
    ];
    const chosen = candidates.filter((section): section is Section => section !== undefined).slice(0, MAX_BODY_SECTIONS);

    if (chosen.every((section) => section.kind === 'callback')) {
      chosen.push({ kind: 'inquiry', text: this.#curiosity(context, callback, choose) });
    }
    // A stable sort keeps the two corrections in their priority order.
    return chosen.sort((a, b) => DISPLAY_ORDER.indexOf(a.kind) - DISPLAY_ORDER.indexOf(b.kind));
  }

  #opener(
    findings: readonly Finding[],
    context: MessageContext,
    choose: (label: string, templates: readonly string[]) => string,
    random: SeededRandom,
  ): string {
    if (findings.some((f) => f.kind === 'greeting')) return choose('opener', voice.GREETING_OPENERS);
    if (context.turn >= 3 && random.fork('later-opener').chance(0.3)) {
      return fillTemplate(choose('opener', voice.LATER_OPENERS), { turn: context.turn });
    }
    return choose('opener', voice.OPENERS);
  }

  #closer(body: readonly Section[], choose: (label: string, templates: readonly string[]) => string, random: SeededRandom): string {
    const aside = choose('aside', voice.ASIDES);
    // When the last section already asks the user something, a second question would bury it.
    if (body[body.length - 1]?.text.trim().endsWith('?')) return aside;
    const question = choose('closing-question', voice.CLOSING_QUESTIONS);
    return random.fork('closing-aside').chance(0.5) ? `${question} ${aside}` : question;
  }

  #callback(finding: CallbackFinding, choose: (label: string, templates: readonly string[]) => string): string {
    const templates = finding.recurring ? voice.RECURRING_TOPIC : voice.EARLIER_TOPIC;
    return fillTemplate(choose('callback', templates), {
      topic: finding.topic,
      Topic: capitalise(finding.topic),
      quote: finding.quote,
    });
  }

  #correction(finding: MisusedTermFinding, random: SeededRandom): string {
    return fillTemplate(random.pick(finding.term.corrections), { match: finding.match });
  }

  #generalisation(finding: GeneralisationFinding, choose: (label: string, templates: readonly string[]) => string): string {
    const values = { quantifier: finding.quantifier, clause: shorten(trimClause(finding.sentence), 90) };
    if (finding.counterexample) {
      return fillTemplate(choose('counterexample', voice.KNOWN_COUNTEREXAMPLE), {
        ...values,
        counterexample: finding.counterexample.text,
      });
    }
    const templates = finding.aboutPeople ? voice.PEOPLE_COUNTEREXAMPLE : voice.UNKNOWN_COUNTEREXAMPLE;
    return fillTemplate(choose('counterexample', templates), values);
  }

  /** Answers the message's question, or turns its claim into a question and answers that. */
  #inquiry(
    claim: ClaimFinding | undefined,
    question: QuestionFinding | undefined,
    generalisation: GeneralisationFinding | undefined,
    choose: (label: string, templates: readonly string[]) => string,
  ): Section | undefined {
    if (question && (question.fact || !claim)) {
      const text = question.fact
        ? fillTemplate(choose('question', voice.QUESTION_WITH_FACT), { fact: question.fact.text })
        : fillTemplate(choose('question', voice.QUESTION_WITH_METHOD), { question: shorten(question.question, 90) });
      return { kind: 'inquiry', text };
    }
    if (!claim) return undefined;
    // A counterexample already answers a universal claim made in the same sentence.
    if (generalisation?.counterexample && generalisation.sentence === claim.sentence) return undefined;
    const asked = fillTemplate(choose('claim-question', voice.CLAIM_AS_QUESTION), { question: claim.question });
    const answer = claim.fact
      ? fillTemplate(choose('claim-answer', voice.CLAIM_ANSWER_WITH_FACT), { fact: claim.fact.text })
      : fillTemplate(choose('claim-answer', voice.CLAIM_ANSWER_WITH_METHOD), {
          subject: shorten(claim.subject, 50),
          object: shorten(claim.object, 60),
        });
    return { kind: 'inquiry', text: `${asked} ${answer}` };
  }

  #ambiguity(finding: AmbiguityFinding, choose: (label: string, templates: readonly string[]) => string, random: SeededRandom): string {
    const { senses } = finding.entry;
    const picked =
      senses.length <= MAX_SENSES
        ? [...senses]
        : random
            .shuffle(senses.map((sense, index) => ({ sense, index })))
            .slice(0, MAX_SENSES)
            .sort((a, b) => a.index - b.index)
            .map((entry) => entry.sense);
    return fillTemplate(choose('ambiguity', voice.AMBIGUITY), {
      word: finding.match.toLowerCase(),
      senses: listWithOr(picked),
      count: senses.length,
    });
  }

  #curiosity(
    context: MessageContext,
    callback: CallbackFinding | undefined,
    choose: (label: string, templates: readonly string[]) => string,
  ): string {
    const topic = context.keywords.find((keyword) => keyword.text !== callback?.topic);
    if (!topic) return choose('curiosity', voice.CURIOSITY_WITHOUT_TOPIC);
    return fillTemplate(choose('curiosity', voice.CURIOSITY_ABOUT_TOPIC), { topic: topic.text });
  }
}

/**
 * Picks one vague word, skipping words that a correction already quotes
 * ("energy" inside "negative energy"), so one word is not discussed twice.
 */
function pickAmbiguity(
  findings: readonly Finding[],
  corrections: readonly MisusedTermFinding[],
  random: SeededRandom,
): AmbiguityFinding | undefined {
  const quoted = corrections.map((correction) => correction.match.toLowerCase()).join(' ');
  const candidates = findings.filter(
    (f): f is AmbiguityFinding => f.kind === 'ambiguity' && !quoted.includes(f.match.toLowerCase()),
  );
  return candidates.length > 0 ? random.pick(candidates) : undefined;
}

/** True when the longest fixed part of a template occurs in `text`, meaning it was used there. */
function templateAppearsIn(template: string, text: string): boolean {
  if (text === '') return false;
  const fixedParts = template.split(/\{\w+\}/).map((part) => part.trim());
  const longest = fixedParts.reduce((a, b) => (b.length > a.length ? b : a), '');
  return longest.length >= 8 && text.includes(longest);
}
