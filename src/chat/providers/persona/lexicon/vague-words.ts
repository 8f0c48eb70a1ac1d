/**
 * Words whose meaning depends on a measurement the speaker rarely names.
 * The persona picks one from a message and asks which sense is meant.
 */
export interface VagueWord {
  /** The word as the reply names it. */
  word: string;
  pattern: RegExp;
  senses: readonly string[];
}

export const VAGUE_WORDS: readonly VagueWord[] = [
  { word: 'better', pattern: /\bbetter\b/i, senses: ['faster', 'cheaper', 'more accurate', 'longer-lasting', 'more pleasant to use'] },
  { word: 'best', pattern: /\bbest\b/i, senses: ['top score on one measurement', 'best on average', 'best in the worst case', 'the one you like most'] },
  { word: 'good', pattern: /\bgood\b/i, senses: ['useful for a purpose', 'morally right', 'pleasant', 'above average on some scale'] },
  { word: 'big', pattern: /\b(?:big|bigger|biggest|huge|large|larger|largest)\b/i, senses: ['greater in mass', 'greater in volume', 'longer', 'more numerous'] },
  { word: 'small', pattern: /\b(?:small|smaller|smallest|tiny|little)\b/i, senses: ['lower in mass', 'smaller in volume', 'shorter', 'fewer in number'] },
  { word: 'fast', pattern: /\b(?:fast|faster|fastest|quick|quicker|quickly)\b/i, senses: ['high top speed', 'high acceleration', 'short total time', 'quick to start'] },
  { word: 'soon', pattern: /\bsoon\b/i, senses: ['within seconds', 'within days', 'within a human lifetime', 'in geological time'] },
  { word: 'smart', pattern: /\b(?:smart|smarter|smartest|intelligent|clever|cleverer)\b/i, senses: ['a good memory', 'fast reasoning', 'broad knowledge', 'sound judgement', 'high test scores'] },
  { word: 'healthy', pattern: /\b(?:healthy|healthier|healthiest)\b/i, senses: ['a lower risk of dying early', 'better blood pressure or blood sugar', 'feeling well', 'fewer calories'] },
  { word: 'strong', pattern: /\b(?:strong|stronger|strongest|strength)\b/i, senses: ['able to exert a large force', 'high tensile strength', 'highly concentrated, like coffee', 'statistically robust'] },
  { word: 'work', pattern: /\b(?:work|works|worked|working)\b/i, senses: ['work in the physics sense, force times distance, in joules', 'a job', 'functioning as intended'] },
  { word: 'power', pattern: /\b(?:power|powerful|more\s+powerful)\b/i, senses: ['power in the physics sense, energy per second, in watts', 'influence over people', 'an exponent in mathematics'] },
  { word: 'weight', pattern: /\b(?:weight|weighs|weigh|heavy|heavier|heaviest)\b/i, senses: ['mass, in kilograms', 'the force of gravity on that mass, in newtons'] },
  { word: 'light', pattern: /\b(?:light|lighter|lightest)\b/i, senses: ['electromagnetic radiation that you can see', 'low in mass', 'pale in colour', 'low in calories'] },
  { word: 'hot', pattern: /\b(?:hot|hotter|hottest)\b/i, senses: ['high in temperature', 'spicy, thanks to capsaicin', 'radioactive', 'fashionable'] },
  { word: 'cold', pattern: /\b(?:cold|colder|coldest)\b/i, senses: ['low in temperature', 'an infection by a rhinovirus', 'unfriendly'] },
  { word: 'normal', pattern: /\b(?:normal|normally)\b/i, senses: ['the statistical average', 'usual or expected', 'perpendicular, as geometers say', 'free of disease'] },
  { word: 'random', pattern: /\b(?:random|randomly)\b/i, senses: ['unpredictable', 'uniformly distributed', 'unrelated to the topic', 'chosen arbitrarily'] },
  { word: 'significant', pattern: /\b(?:significant|significantly)\b/i, senses: ['statistically significant, unlikely to be chance alone', 'large enough to matter'] },
  { word: 'average', pattern: /\b(?:average|on\s+average)\b/i, senses: ['the mean', 'the median', 'the mode', 'ordinary'] },
  { word: 'efficient', pattern: /\b(?:efficient|efficiency)\b/i, senses: ['useful energy out per energy in', 'quick', 'cheap to run'] },
  { word: 'safe', pattern: /\b(?:safe|safer|safest|safety)\b/i, senses: ['harmless at any dose', 'a risk below a threshold you chose', 'safe for some people for some time'] },
  { word: 'a lot', pattern: /\b(?:a\s+lot|lots|tons|loads|a\s+ton)\b/i, senses: ['a number you could count', 'more than you expected', 'just enough to notice'] },
  { word: 'old', pattern: /\b(?:old|older|oldest)\b/i, senses: ['greater in age', 'outdated', 'worn out'] },
  { word: 'clean', pattern: /\b(?:clean|cleaner|cleanest)\b/i, senses: ['free of dirt', 'sterile, free of microbes', 'free of a particular substance', 'low in emissions'] },
  { word: 'simple', pattern: /\b(?:simple|simpler|easy|easier)\b/i, senses: ['made of few parts', 'easy to understand', 'easy to build'] },
  { word: 'complex', pattern: /\b(?:complex|complicated)\b/i, senses: ['made of many interacting parts', 'hard to understand', 'complex in the mathematical sense, with an imaginary part'] },
  { word: 'speed', pattern: /\b(?:speed|speeds)\b/i, senses: ['speed, a magnitude only', 'velocity, which also has a direction'] },
  { word: 'energy', pattern: /\b(?:energy|energetic)\b/i, senses: ['energy in the physics sense, in joules', 'alertness', 'enthusiasm'] },
  { word: 'natural', pattern: /\bnatural\b/i, senses: ['found in nature', 'unprocessed', 'normal or expected'] },
];
