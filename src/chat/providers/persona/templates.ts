/**
 * The persona's phrasings. Each list offers interchangeable templates for one
 * section of a reply; the composer picks one with the seeded random source.
 * Placeholders in braces are filled by the composer.
 */

export const OPENERS = [
  'Eureka!',
  'Fascinating!',
  'Oh, splendid!',
  'Aha! A fresh specimen of thought!',
  'By the bubbling beakers!',
  'Marvellous, simply marvellous!',
  'Hold my test tube!',
  'Great galvanic galaxies!',
  'Ooh, let me adjust my goggles.',
  'Excellent, the Tesla coil is already humming!',
  'Now we are cooking with Bunsen burners!',
  'Splendid! My eyebrows are still singed from the last experiment, but do go on.',
  'Zounds and zeolites!',
  'Oh, this goes straight under the microscope!',
] as const;

export const GREETING_OPENERS = [
  'Ah, a visitor in my laboratory! Mind the sparks.',
  'Greetings! Do come in and ignore the smoke, it is mostly harmless.',
  'Hello, hello! You arrive just as the centrifuge stopped screaming.',
  'Welcome, welcome! Please do not touch the glowing jar.',
] as const;

/** Openers for later turns; {turn} is the number of the user's message. */
export const LATER_OPENERS = [
  'Message number {turn}, and the experiment grows more interesting!',
  'Observation {turn} in our lab book!',
  'Round {turn}! My instruments are warmed up now.',
] as const;

/** {topic} was mentioned before and again now; {quote} is the earlier message. */
export const RECURRING_TOPIC = [
  'You mentioned {topic} earlier, when you said "{quote}". It keeps coming back, and a recurring variable deserves attention.',
  '{Topic} again! Earlier you told me "{quote}". I have added a second data point to my notebook.',
  'This connects to what you said before: "{quote}". Same {topic}, new angle.',
] as const;

/** {topic} is an earlier subject that the new message does not mention. */
export const EARLIER_TOPIC = [
  'I have not forgotten your earlier remark about {topic}, by the way ("{quote}"). It is still bubbling in a flask on the back bench.',
  'And while we are at it: earlier you brought up {topic}. Does this new thought change that hypothesis?',
  'A note for the lab book: a moment ago we were on {topic} ("{quote}"), and now we are here. Science rarely travels in straight lines.',
] as const;

/** {word} is the vague word, {senses} its possible meanings, {count} how many. */
export const AMBIGUITY = [
  'Now, the word "{word}". Which sense do you mean: {senses}? Each one leads to a different experiment.',
  'Precision, please! By "{word}" do you mean {senses}? I refuse to measure a word until I know its units.',
  '"{word}" is a slippery word. It could mean {senses}. Pick one and I shall design the test.',
  'Hold on, "{word}" in what sense: {senses}? Ambiguous words are how experiments go wrong.',
  'Before we go on, define "{word}". I count at least {count} meanings: {senses}.',
] as const;

/** {quantifier} is the universal word, {counterexample} a known exception (starting in lower case). */
export const KNOWN_COUNTEREXAMPLE = [
  'You said "{quantifier}", so here comes a counterexample: {counterexample} One exception like that is enough to retire "{quantifier}".',
  'Counterexample alert! Consider this: {counterexample} A single case breaks a universal rule.',
  '"{quantifier}"? Nature loves to embarrass that word. For instance, {counterexample}',
] as const;

/** {quantifier} is the universal word, {clause} the user's sentence. */
export const UNKNOWN_COUNTEREXAMPLE = [
  '"{quantifier}" is the most fragile word in science: one counterexample breaks it. Before I accept "{clause}", I will go hunting for the single case that does not fit, the way Europeans once found black swans in Australia.',
  'You said "{quantifier}". A universal claim needs every case to agree, and one exception sinks it. Can you think of a single case where "{clause}" fails? I can already imagine a few.',
  '"{quantifier}" makes my counterexample detector beep. Claims of that shape are only as strong as the most awkward case anyone can find, so I shall keep looking.',
] as const;

/** {quantifier} is a word such as "everyone"; {clause} the user's sentence. */
export const PEOPLE_COUNTEREXAMPLE = [
  '"{quantifier}" covers about eight billion people, and it takes only one exception to break it. I volunteer myself as that exception, as I usually am.',
  '"{quantifier}"? Somewhere among eight billion humans there is a counterexample, quite possibly in my own laboratory. "{clause}" needs a survey, not a hunch.',
] as const;

/** {question} is the user's claim rephrased as a question. */
export const CLAIM_AS_QUESTION = [
  'Let me turn that into a question, because questions can be tested: {question}',
  'Your claim, rephrased as an experiment waiting to happen: {question}',
  'Every claim is a question in disguise. Yours is: {question}',
] as const;

/** {fact} is a stored explanation. */
export const CLAIM_ANSWER_WITH_FACT = [
  'My answer, from the evidence: {fact}',
  'And the answer, as far as the evidence goes: {fact}',
] as const;

/** {subject} and {object} are parts of the user's claim. */
export const CLAIM_ANSWER_WITH_METHOD = [
  'My answer: not settled either way yet, and that is the exciting part. Turn "{object}" into something you can count, then compare cases with and without "{subject}". If the difference is larger than chance, you have evidence.',
  'Answer, provisional: it is a hypothesis until someone measures it. Prediction: if it is true, cases with "{subject}" should differ measurably from cases without it, even when nobody involved knows which is which.',
  'My answer: it depends entirely on the measurement. Write down in advance which result would prove you wrong. If no result could, the claim is not science but decoration.',
  'My answer: possibly! But the burden of evidence sits with the claim. Run it blind, with a control group, and repeat it. One striking anecdote is not data; many careful measurements are.',
] as const;

/** {fact} answers the user's question. */
export const QUESTION_WITH_FACT = [
  'What a question! {fact}',
  'Ah, I know this one, and it is glorious. {fact}',
  'I have a diagram of this somewhere under the burnt notes. {fact}',
] as const;

/** {question} is the user's question. */
export const QUESTION_WITH_METHOD = [
  'A question! My favourite substance. I cannot settle "{question}" from my armchair, but I can tell you how to find out: split it into things you can measure, change one at a time, and keep everything else still.',
  'You ask "{question}". Let us make it testable: state what you expect to observe if the answer is yes, and what you expect if it is no. Then go and observe.',
  'To answer "{question}" properly, I need a hypothesis, a prediction and a measurement, in that order. Give me your best guess and we shall put it on the bench.',
] as const;

/** {topic} is a word from the message when nothing else caught the persona's attention. */
export const CURIOSITY_ABOUT_TOPIC = [
  'You bring me "{topic}", and I want to know everything: what it is made of, how it behaves, and what happens if we heat it. Tell me one claim about {topic} that you are sure of, and I will try to break it.',
  '"{topic}"! An excellent specimen. What would you predict about it, and how would we know if you were wrong?',
  'Let us put "{topic}" under the microscope. What exactly do you want to know about it: its cause, its size, or its consequences?',
] as const;

export const CURIOSITY_WITHOUT_TOPIC = [
  'Intriguing, though I have no variables to work with yet. Give me a claim, a number or a question, and I will put it under the microscope.',
  'My instruments detect enthusiasm but no hypothesis. State a claim, and I shall test it with great vigour.',
] as const;

export const CLOSING_QUESTIONS = [
  'Now tell me: what result would change your mind?',
  'Shall we design the experiment together?',
  'Which measurement shall we take first?',
  'What would you predict, before we look?',
  'What is your control group?',
  'How would you know if you were wrong?',
] as const;

export const ASIDES = [
  'Bring me data, and I shall bring the goggles.',
  'Now, if you will excuse me, something in the centrifuge just squeaked.',
  'Write it in your lab notebook; future you will be grateful.',
  'I await your next hypothesis with trembling instruments!',
  'Mwahaha! Ahem. Science!',
  'Onwards, to the laboratory!',
] as const;
