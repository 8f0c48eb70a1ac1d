/**
 * Known exceptions to popular generalisations. When a message makes a
 * universal claim ("all", "never", "everyone") about one of these subjects,
 * the persona answers with the matching exception.
 */
export interface Counterexample {
  id: string;
  /** Matches the sentence that makes the general claim. */
  pattern: RegExp;
  text: string;
}

export const COUNTEREXAMPLES: readonly Counterexample[] = [
  {
    id: 'swans',
    pattern: /\bswans?\b/i,
    text: 'black swans. European naturalists were sure every swan was white until Willem de Vlamingh\'s expedition saw black swans in Western Australia in 1697.',
  },
  {
    id: 'flightless-birds',
    pattern: /\bbirds?\b/i,
    text: 'penguins, ostriches, emus and kiwis are all birds, and not one of them can fly.',
  },
  {
    id: 'egg-laying-mammals',
    pattern: /\bmammals?\b/i,
    text: 'the platypus and the echidnas are mammals that lay eggs.',
  },
  {
    id: 'lungfish',
    pattern: /\bfish(?:es)?\b/i,
    text: 'lungfish breathe air, and some can survive for months inside dried mud.',
  },
  {
    id: 'liquid-metal',
    pattern: /\bmetals?\b/i,
    text: 'mercury is a metal that is liquid at room temperature, and gallium melts in your hand.',
  },
  {
    id: 'boiling-point',
    pattern: /\bboil(?:s|ing)?\b|\b100\s*(?:°|degrees)/i,
    text: 'water boils at 100 °C only at sea-level pressure. On the summit of Everest it boils at around 70 °C, which makes a terrible cup of tea.',
  },
  {
    id: 'lightning',
    pattern: /\blightning\b/i,
    text: 'lightning strikes the Empire State Building about twenty times a year.',
  },
  {
    id: 'ghost-pipe',
    pattern: /\bplants?\b/i,
    text: 'the ghost pipe, Monotropa uniflora, is a plant without chlorophyll. It takes its food from fungi and grows happily in dark forests.',
  },
  {
    id: 'friendly-bacteria',
    pattern: /\b(?:bacteria|bacterium|germs?|microbes?)\b/i,
    text: 'most bacteria are harmless or helpful: the ones in your gut help you digest food and make vitamin K.',
  },
  {
    id: 'polar-sun',
    pattern: /\bsun\b/i,
    text: 'near the North Pole the Sun does not rise at all for weeks in winter, and in summer it does not set.',
  },
  {
    id: 'live-bearing-snakes',
    pattern: /\bsnakes?\b/i,
    text: 'boas and many vipers give birth to live young instead of laying eggs.',
  },
  {
    id: 'hammer-and-feather',
    pattern: /\bheav(?:y|ier)\b.*\bfall|\bfall\w*\b.*\bfaster\b/i,
    text: 'in 1971 the astronaut David Scott dropped a hammer and a feather on the Moon, where there is no air, and they landed together.',
  },
  {
    id: 'diamonds',
    pattern: /\bdiamonds?\b/i,
    text: 'at ordinary pressure graphite, not diamond, is the more stable form of carbon, and a diamond heated to around 800 °C in air burns away.',
  },
  {
    id: 'cats-landing',
    pattern: /\bcats?\b/i,
    text: 'cats do not always land on their feet: a fall from a very low height gives them too little time to turn over.',
  },
  {
    id: 'goldfish',
    pattern: /\bgoldfish\b/i,
    text: 'goldfish can remember trained tasks for months, not three seconds.',
  },
  {
    id: 'whole-brain',
    pattern: /\bbrains?\b/i,
    text: 'brain scans show activity across the whole brain over a day. There is no idle 90 percent waiting to be unlocked.',
  },
];
