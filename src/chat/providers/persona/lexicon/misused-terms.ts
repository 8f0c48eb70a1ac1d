/**
 * Scientific terms that everyday speech often bends, with the corrections
 * the persona gives. `{match}` in a correction is replaced by the words the
 * user wrote.
 */
export interface MisusedTerm {
  id: string;
  /** Matches a loose use of the term. */
  pattern: RegExp;
  /** Matches a technical use. A sentence that matches it is left alone. */
  properUse?: RegExp;
  corrections: readonly string[];
}

export const MISUSED_TERMS: readonly MisusedTerm[] = [
  {
    id: 'theory',
    pattern: /\b(?:(?:just|only|merely)\s+an?\s+|my\s+(?:little\s+)?|(?:i\s+have|i've\s+got|got)\s+an?\s+(?:little\s+|new\s+|crazy\s+)?|an?\s+)?theor(?:y|ies)\b/i,
    properUse:
      /\b(?:theory\s+of\s+(?:relativity|evolution|gravit\w*|electromagnetism)|(?:germ|atomic|cell|number|quantum|music|game|set|graph|field|string|big\s+bang|kinetic)\s+theory)\b(?!\s+is\s+(?:just|only|merely))/i,
    corrections: [
      'A small but vital correction about "{match}". In science a theory is the heavyweight champion, not the hunch: a well-tested explanation backed by a mountain of evidence, like germ theory or the theory of evolution. What you describe is a hypothesis, a testable guess waiting for its experiment.',
      '"{match}"? Careful! To a scientist a theory is an explanation that has survived years of attempts to knock it down, such as plate tectonics. Your idea is a hypothesis, and that is a compliment: hypotheses are where all the fun experiments begin.',
      'Terminology alarm! "{match}" uses the word theory the everyday way. In the laboratory a hypothesis is the proposal, an experiment tests it, and only an explanation that passes test after test earns the title of theory.',
    ],
  },
  {
    id: 'proof',
    pattern: /\b(?:scientifically\s+)?(?:prove[sdn]?|proving|proof)\b/i,
    properUse: /\b(?:theorem|mathemati\w*|lemma|equation|geometry|induction)\b/i,
    corrections: [
      '"{match}" is a word from mathematics, where a proof settles a theorem forever. Science works differently: evidence supports or refutes an idea, and the next experiment can always overturn it. Say "strongly supported by evidence" and you will sound like a real scientist.',
      'Ah, "{match}". Mathematicians prove; scientists gather evidence and try, repeatedly and on purpose, to refute. Even Newton\'s gravity was never proven, and Einstein later improved on it.',
    ],
  },
  {
    id: 'energy',
    pattern:
      /\b(?:(?:good|bad|negative|positive|healing|spiritual|cosmic|toxic)\s+(?:energy|energies|vibes?|vibrations?)|energ(?:y|ies)\s+(?:fields?|healing|vibrations?|flows?|blocks?|blockages?))\b/i,
    corrections: [
      'Energy, my friend, is not a mood. It is the capacity to do work, measured in joules, and it is neither good nor bad: a falling piano and a cup of tea both have some. What instrument would measure "{match}"?',
      '"{match}"! Physicists get twitchy here. Energy is a conserved quantity with units, joules, or calories if you are reading a cereal box. If it cannot be measured in joules, it is not energy, it is atmosphere.',
    ],
  },
  {
    id: 'quantum',
    pattern: /\bquantum(?:\s+(?:leap|healing|consciousness|energy|vibrations?|field\s+of\s+\w+))?\b/i,
    properUse:
      /\bquantum\s+(?:mechanics|physics|computing|computers?|computation|field\s+theory|theory|chemistry|entanglement|tunnell?ing|states?|dots?|numbers?|electrodynamics)\b/i,
    corrections: [
      '"{match}"? Quantum mechanics describes how very small things such as electrons and photons behave. A quantum is the smallest indivisible amount of something, so a "quantum leap" is in fact the tiniest possible jump. It does not make healing, consciousness or shampoo work better.',
      'Whenever someone says "{match}", a physicist somewhere drops a pipette. Quantum effects are real and spectacular, but they rule at the scale of atoms. At the scale of people, ordinary physics wins.',
    ],
  },
  {
    id: 'evolution',
    pattern:
      /\b(?:evolv(?:e|ed|es|ing)\s+(?:to|into|in\s+order\s+to)\b|(?:trying|try|tries|want|wants|decided?)\s+to\s+evolve|evolution\s+is\s+(?:just|only|random|a\s+theory)|(?:evolved|came|descended)\s+from\s+(?:monkeys|chimps|chimpanzees|apes)|missing\s+link|i\s+(?:have\s+)?evolved)\b/i,
    corrections: [
      '"{match}" gives evolution a plan it never had. Evolution works on populations over generations: variants that happen to leave more offspring become more common. No giraffe ever decided to grow a longer neck.',
      'Careful with "{match}"! Individuals do not evolve, populations do, and natural selection is not random even though mutation is. And humans did not descend from chimpanzees: we share a common ancestor with them, several million years back.',
    ],
  },
  {
    id: 'organic',
    pattern: /\borganic\b/i,
    properUse: /\borganic\s+(?:chemistry|compounds?|molecules?|matter|synthesis)\b/i,
    corrections: [
      '"{match}"! To a chemist, organic means built on carbon, so petrol, plastic and caffeine are gloriously organic. On a food label it is a farming standard, which still allows some pesticides. Which meaning did you intend?',
      'A chemist hears "{match}" and thinks of carbon compounds: sugar, benzene, and the contents of my more suspicious flasks. Organic farming is a set of rules about how food is grown, not a promise that it contains no chemicals.',
    ],
  },
  {
    id: 'chemical-free',
    pattern:
      /\b(?:chemical[-\s]?free|no\s+chemicals|full\s+of\s+chemicals|without\s+(?:any\s+)?chemicals|free\s+(?:from|of)\s+chemicals|chemicals\s+are\s+(?:bad|dangerous|toxic|poison))\b/i,
    corrections: [
      '"{match}"? Delightfully impossible! Everything you can touch is made of chemicals: water is dihydrogen monoxide, and a ripe pear contains a little formaldehyde. What matters is which substance and how much of it. The dose makes the poison.',
      'Nothing is free of chemicals except a perfect vacuum, and even that is hard to buy. With "{match}" you probably mean free of particular synthetic substances. Name them, and we can check the dose.',
    ],
  },
  {
    id: 'exponential',
    pattern: /\bexponential(?:ly)?\b/i,
    properUse: /\b(?:exponential\s+(?:function|decay|distribution|equation)|doubl(?:es|ing)\s+every)\b/i,
    corrections: [
      '"{match}"! Exponential has a precise meaning: the growth rate is proportional to the current size, so the quantity doubles in a fixed time. Bacteria in a warm dish grow exponentially until the food runs out. Did your quantity really double at a steady interval, or did it merely grow a lot?',
      'Exponential is not a synonym for "a lot" or "fast", so "{match}" makes me suspicious. A straight line can climb steeply, and an exponential curve starts out slow. Plot it on a logarithmic scale: a true exponential becomes a straight line.',
    ],
  },
  {
    id: 'literally',
    pattern: /\bliterally\b/i,
    corrections: [
      '"{match}"? If that happened literally, I would like to see the data, and possibly a mop. I suspect you mean figuratively, which is fine for poetry but troublesome in a lab notebook.',
      'You said "{match}". I take words at their word, an occupational hazard, so I just pictured it happening to the letter. Magnificent, but I suspect it was a figure of speech.',
    ],
  },
  {
    id: 'natural',
    pattern:
      /\b(?:(?:it'?s|is|are|because\s+it'?s|100\s?%|all)[-\s]+natural|natural\s+(?:remed(?:y|ies)|cures?|medicines?|products?|ingredients?|so\s+it'?s\s+safe))\b/i,
    corrections: [
      '"{match}" tells us where something came from, not whether it is safe. Arsenic, hemlock and the death cap mushroom are entirely natural. Ask instead: which molecule, and what dose?',
      'Nature is a chemist with no safety regulations. Willow bark gave us aspirin, and foxglove both treats hearts and stops them. "{match}" describes an origin, not a safety rating.',
    ],
  },
  {
    id: 'toxins',
    pattern: /\b(?:toxins?|detox(?:es|ing|ify|ification)?|cleanses?)\b/i,
    corrections: [
      '"{match}"! My first question is always: which toxin? Name the molecule. Your liver and kidneys remove real ones all day long, and a product that cannot name what it removes has removed nothing measurable.',
      'Whenever I hear "{match}" I reach for my mass spectrometer and ask for a name. A toxin is a specific poison made by a living thing. Unnamed toxins removed by unnamed cleanses are a marketing substance, not a chemical one.',
    ],
  },
  {
    id: 'radiation',
    pattern: /\bradiation\b/i,
    properUse: /\b(?:ionising|ionizing|non-ionising|non-ionizing|electromagnetic|infrared|ultraviolet|gamma|alpha|beta|thermal)\s+radiation\b/i,
    corrections: [
      '"{match}" covers more than you might think. Radiation is energy travelling as waves or particles, so the light from your lamp and the warmth of your toast are radiation too. The dangerous kind is ionising radiation, such as X-rays and gamma rays, which can break chemical bonds. Which kind did you mean?',
      'Radiation! Sunshine is radiation, your phone\'s radio signal is radiation, and so is the warmth from a cup of cocoa. The useful question about "{match}" is whether it is ionising, meaning energetic enough to knock electrons off atoms.',
    ],
  },
  {
    id: 'fittest',
    pattern: /\b(?:survival\s+of\s+the\s+fittest|fittest)\b/i,
    corrections: [
      '"{match}" does not mean the strongest or the fastest. In biology, fitness is reproductive success in a given environment: the fittest organism leaves the most surviving offspring, even if it is a small, timid beetle.',
    ],
  },
  {
    id: 'zero-gravity',
    pattern: /\b(?:(?:zero|no)\s+gravity|there(?:'?s|\s+is)\s+no\s+gravity|gravity[-\s]free)\b/i,
    corrections: [
      '"{match}"? Gravity at the height of the International Space Station is still about 90 percent of what you feel on the ground. Astronauts float because they and their station are falling around the Earth together. Free fall, not zero gravity!',
    ],
  },
  {
    id: 'light-year',
    pattern: /\b(?:light[-\s]years?\s+ago|(?:took|takes|take|taking)\s+light[-\s]years)\b/i,
    corrections: [
      '"{match}"! A light year is a distance, not a time: about 9.46 trillion kilometres, the distance light travels in one year. You cannot wait a light year, but you can walk a tiny fraction of one.',
    ],
  },
  {
    id: 'percent',
    pattern: /\b(?:1[1-9]\d|[2-9]\d\d)\s?(?:%|percent\b|per\s+cent\b)/i,
    properUse: /\b(?:increase[sd]?|growth|grew|rise|rose|more\s+than|higher|larger|bigger)\b/i,
    corrections: [
      '"{match}"? A share of a whole stops at 100 percent; beyond that you are describing growth, not effort. I admire the enthusiasm, though, and I have logged it as a measurement error in your favour.',
    ],
  },
  {
    id: 'correlation',
    pattern: /\b(?:linked\s+to|associated\s+with|correlat(?:es|ed|ion)\s+with|goes\s+up\s+when)\b/i,
    properUse: /\bcausation\b/i,
    corrections: [
      '"{match}" describes a correlation, and correlation is a flirtation, not a marriage. Ice cream sales and drownings rise together because both follow hot weather. To show a cause you need an experiment, or a very careful study design.',
    ],
  },
];
