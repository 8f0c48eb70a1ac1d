import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatTurn } from '../provider.ts';
import { buildContext, PersonaEngine } from './engine.ts';
import { MISUSED_TERMS } from './lexicon/misused-terms.ts';
import { VAGUE_WORDS } from './lexicon/vague-words.ts';
import { OPENERS } from './templates.ts';

const engine = new PersonaEngine();

function user(content: string): ChatTurn {
  return { role: 'user', content };
}

function replyTo(message: string, seed = '7'): string {
  return engine.reply([user(message)], seed);
}

function findingsFor(message: string, earlier: ChatTurn[] = []) {
  return engine.analyse(buildContext([...earlier, user(message)]));
}

describe('persona engine: misused scientific terms', () => {
  test('loose "theory" gets the hypothesis correction', () => {
    const reply = replyTo('I have a theory that cats control the weather.');
    assert.match(reply, /hypothesis/);
    assert.match(reply, /"I have a theory"/);
    assert.match(reply, /theory is|title of theory|theory or the theory of evolution/);
  });

  test('"just a theory" is quoted in full', () => {
    const findings = findingsFor('Evolution is just a theory.');
    const theory = findings.find((f) => f.kind === 'misused-term' && f.term.id === 'theory');
    assert.ok(theory, 'expected a theory finding');
    assert.equal(theory.kind === 'misused-term' && theory.match, 'just a theory');
  });

  test('established theory names are left alone', () => {
    const findings = findingsFor('The theory of relativity predicts that moving clocks run slow.');
    assert.equal(findings.some((f) => f.kind === 'misused-term' && f.term.id === 'theory'), false);
  });

  const cases: Array<[message: string, termId: string, replyWord: RegExp]> = [
    ['My crystals give off positive energy.', 'energy', /joules/],
    ['This shampoo uses quantum healing.', 'quantum', /smallest|atoms/],
    ['Giraffes evolved to reach the high leaves.', 'evolution', /populations|giraffe/i],
    ['I only eat organic food.', 'organic', /carbon/],
    ['Our soap is completely chemical-free.', 'chemical-free', /dihydrogen monoxide|perfect vacuum/],
    ['Prices are rising exponentially.', 'exponential', /doubl|logarithmic/],
    ['I literally died laughing.', 'literally', /figur/],
    ['It is all natural so it cannot hurt you.', 'natural', /arsenic|hemlock|foxglove|aspirin/i],
    ['This tea flushes out toxins.', 'toxins', /which toxin|name/i],
    ['Science has proven that my diet works.', 'proof', /evidence/],
    ['Astronauts float because there is no gravity in space.', 'zero-gravity', /free fall/i],
    ['The dinosaurs died out light years ago.', 'light-year', /distance, not a time/],
    ['I give 110% at the gym.', 'percent', /100 percent/],
    ['Chocolate is linked to Nobel prizes.', 'correlation', /correlation/],
    ['My microwave leaks radiation.', 'radiation', /ionising/],
    ['It is survival of the fittest out there.', 'fittest', /reproductive success/],
  ];
  for (const [message, termId, replyWord] of cases) {
    test(`"${termId}" is corrected`, () => {
      const findings = findingsFor(message);
      assert.ok(
        findings.some((f) => f.kind === 'misused-term' && f.term.id === termId),
        `expected a ${termId} finding for: ${message}`,
      );
      assert.match(replyTo(message), replyWord);
    });
  }

  test('every lexicon entry has a correction that quotes the match or stands alone', () => {
    for (const term of MISUSED_TERMS) {
      assert.ok(term.corrections.length > 0, term.id);
      for (const correction of term.corrections) assert.ok(correction.length > 40, `${term.id}: ${correction}`);
    }
  });
});

describe('persona engine: counterexamples', () => {
  test('"all swans are white" gets the black swan', () => {
    const reply = replyTo('All swans are white.');
    assert.match(reply, /black swans/);
    assert.match(reply, /Australia/);
  });

  test('heavier objects falling faster gets the hammer and feather', () => {
    assert.match(replyTo('Heavier objects always fall faster.'), /hammer and a feather/);
  });

  test('"everyone" gets a counterexample about people', () => {
    const findings = findingsFor('Everyone hates Mondays.');
    const generalisation = findings.find((f) => f.kind === 'generalisation');
    assert.ok(generalisation, 'no generalisation finding');
    assert.ok(generalisation.kind === 'generalisation');
    assert.equal(generalisation.quantifier, 'everyone');
    assert.equal(generalisation.aboutPeople, true);
    assert.match(replyTo('Everyone hates Mondays.'), /eight billion/);
  });

  test('unknown subject with "never" gets a generic counterexample challenge', () => {
    const reply = replyTo('Trains never arrive on time.');
    assert.match(reply, /"never"/);
    assert.match(reply, /counterexample|exception/);
  });

  test('idioms such as "not at all" are not generalisations', () => {
    const findings = findingsFor('I am not tired at all, thanks.');
    assert.equal(findings.some((f) => f.kind === 'generalisation'), false);
  });
});

describe('persona engine: ambiguity', () => {
  test('a vague word is named with its senses', () => {
    const reply = replyTo('Is a bigger engine better?');
    const named = /"(bigger|better)"/.exec(reply);
    assert.ok(named, `expected a vague word in quotes: ${reply}`);
    const entry = VAGUE_WORDS.find((word) => word.pattern.test(named[1]));
    assert.ok(entry);
    const sensesMentioned = entry.senses.filter((sense) => reply.includes(sense));
    assert.ok(sensesMentioned.length >= 2, `expected at least two senses of ${named[1]}: ${reply}`);
  });

  test('a word already corrected is not asked about again', () => {
    const reply = replyTo('Send me positive energy.');
    assert.doesNotMatch(reply, /Which sense do you mean: energy|By "energy"|"energy" is a slippery/);
  });
});

describe('persona engine: claims and questions', () => {
  test('a claim becomes a question and gets an answer', () => {
    const reply = replyTo('Coffee makes me smarter.');
    assert.match(reply, /Does Coffee really make you smarter\?/);
    assert.match(reply, /answer/i);
  });

  test('a claim with a known answer is answered with the evidence', () => {
    const reply = replyTo('Everyone knows vaccines cause autism.');
    assert.match(reply, /Do vaccines really cause autism\?/);
    assert.match(reply, /no link/);
  });

  test('a known question gets its explanation', () => {
    assert.match(replyTo('Why is the sky blue?'), /Rayleigh scattering/);
  });

  test('an unknown question is turned into a method', () => {
    const reply = replyTo('How do bees choose which flower to visit?');
    assert.match(reply, /bees choose which flower/);
  });

  test('an overlong word is not quoted back', () => {
    const reply = replyTo('x'.repeat(4000));
    assert.ok(reply.length < 400, `reply of ${reply.length} characters`);
  });

  test('a message with nothing to analyse still gets an in-character reply', () => {
    const reply = replyTo('ok');
    assert.ok(reply.length > 40);
    assert.match(reply, /claim|hypothesis|microscope/);
  });
});

describe('persona engine: conversation memory', () => {
  const first = 'I keep a tortoise named Newton in my laboratory.';

  test('a later reply refers to a repeated earlier topic', () => {
    const history: ChatTurn[] = [user(first)];
    history.push({ role: 'assistant', content: engine.reply(history, '1') });
    history.push(user('Should the tortoise eat lettuce?'));
    const reply = engine.reply(history, '1');
    assert.match(reply, /tortoise/i);
    assert.match(reply, /earlier|before|again/i);
  });

  test('a later reply refers to the previous topic when the subject changes', () => {
    for (const seed of ['1', '2', '3', '4', '5']) {
      const history: ChatTurn[] = [user(first)];
      history.push({ role: 'assistant', content: engine.reply(history, seed) });
      history.push(user('Unrelated: my bicycle squeaks.'));
      const reply = engine.reply(history, seed);
      assert.match(reply, /tortoise/, `seed ${seed}: ${reply}`);
    }
  });

  test('the first reply of a conversation refers to nothing earlier', () => {
    assert.equal(findingsFor(first).some((f) => f.kind === 'callback'), false);
  });

  test('consecutive replies do not repeat the opener', () => {
    for (const seed of ['1', '2', '3', '4', '5', '6']) {
      const history: ChatTurn[] = [user('Magnets are fascinating.')];
      const firstReply = engine.reply(history, seed);
      history.push({ role: 'assistant', content: firstReply }, user('Magnets are fascinating.'));
      const secondReply = engine.reply(history, seed);
      const opener = OPENERS.find((candidate) => firstReply.startsWith(candidate));
      if (opener) assert.equal(secondReply.startsWith(opener), false, `seed ${seed} repeated "${opener}"`);
    }
  });
});

describe('persona engine: determinism and variety', () => {
  const history = [user('All metals are magnetic, I think.')];

  test('same seed and conversation give the same reply', () => {
    assert.equal(engine.reply(history, '12345'), engine.reply(history, '12345'));
    assert.equal(new PersonaEngine().reply(history, '12345'), engine.reply(history, '12345'));
  });

  test('different seeds give varied replies', () => {
    const replies = new Set(Array.from({ length: 20 }, (_, seed) => engine.reply(history, String(seed))));
    assert.ok(replies.size >= 8, `only ${replies.size} distinct replies from 20 seeds`);
  });

  test('the same message later in a conversation gets a different reply', () => {
    const firstReply = engine.reply(history, '9');
    const later = [...history, { role: 'assistant' as const, content: firstReply }, ...history];
    assert.notEqual(engine.reply(later, '9'), firstReply);
  });

  test('a message full of findings keeps to a bounded reply', () => {
    const reply = replyTo(
      'I literally think all natural quantum energy is better, everyone knows organic food is chemical-free and it is just a theory that toxins grow exponentially.',
    );
    assert.ok(reply.split('\n\n').length <= 5, reply);
  });
});

test('request phrased as a command gets an explanation', () => {
  const reply = engine.reply([{ role: 'user', content: 'Explain entropy' }], '7');
  assert.match(reply, /arrangements/);
});
