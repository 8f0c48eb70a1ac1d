/** Text helpers for the persona engine: sentences, keywords, quoting and pronoun reflection. */

/** Words that carry no topic. A keyword is any other word of four letters or more. */
const STOPWORDS = new Set(
  `about above after again against also although always among another anyone anything anyway around because
  been before being below between both came cannot could does doing done down during each either else enough
  even ever every everyone everything from further gets getting give given goes going gone good have having
  hello here hers herself himself into itself just know known knows like likes made make makes many maybe might
  mine more most much must myself near need needs never nobody none nothing often once only other others ours
  ourselves over perhaps please quite rather really said same says seem seems shall should since some someone
  something sometimes still such sure take takes tell than thank thanks that their theirs them themselves then
  there these they thing things think thinks this those though thought through thus today together tomorrow
  told too toward towards under until upon very want wants well were what whatever when where whether which
  while whom whose will with within without would yeah yesterday your yours yourself yourselves actually
  absolutely certainly definitely totally literally basically seriously anybody everybody somebody okay
  believe believes feel feels guess mean means probably usually already nothing`.split(/\s+/),
);

const MAX_KEYWORD_LENGTH = 30;

export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

export function words(text: string): string[] {
  return text.match(/[A-Za-z][A-Za-z'-]*/g) ?? [];
}

/** Normalises a word for comparison: lower case, no possessive, simple plural removed. */
export function normaliseWord(word: string): string {
  let lower = word.toLowerCase().replace(/'s$/, '').replace(/'$/, '');
  if (lower.length > 4 && lower.endsWith('ies')) lower = `${lower.slice(0, -3)}y`;
  else if (lower.length > 4 && lower.endsWith('s') && !/(ss|us|is|ics)$/.test(lower)) lower = lower.slice(0, -1);
  return lower;
}

export interface Keyword {
  /** The normalised form used for comparison. */
  key: string;
  /** The word as the user wrote it. */
  text: string;
}

/** Returns the topic-bearing words of `text` in order of first appearance, each once. */
export function keywords(text: string): Keyword[] {
  const seen = new Set<string>();
  const found: Keyword[] = [];
  for (const word of words(text)) {
    const lower = word.toLowerCase();
    // Longer "words" are noise such as a run of one letter, and would bloat a reply that quotes them.
    if (lower.length < 4 || lower.length > MAX_KEYWORD_LENGTH || STOPWORDS.has(lower) || lower.includes("'")) continue;
    const key = normaliseWord(lower);
    if (STOPWORDS.has(key) || seen.has(key)) continue;
    seen.add(key);
    found.push({ key, text: lower });
  }
  return found;
}

/** Shortens text to at most `max` characters at a word boundary, marking the cut with an ellipsis. */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const boundary = cut.lastIndexOf(' ');
  return `${(boundary > max / 2 ? cut.slice(0, boundary) : cut).replace(/[\s,;:.!?-]+$/, '')}…`;
}

/** Removes trailing punctuation and surrounding quotes from a clause. */
export function trimClause(text: string): string {
  return text
    .trim()
    .replace(/^["'“‘]+|["'”’]+$/g, '')
    .replace(/[\s.!?,;:]+$/, '')
    .trim();
}

export function capitalise(text: string): string {
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1);
}

const FIRST_TO_SECOND_PERSON: Record<string, string> = {
  i: 'you',
  me: 'you',
  my: 'your',
  mine: 'yours',
  myself: 'yourself',
  we: 'you',
  us: 'you',
  our: 'your',
  ours: 'yours',
  ourselves: 'yourselves',
  "i'm": "you're",
  "i've": "you've",
  "i'd": "you'd",
  "i'll": "you'll",
  "we're": "you're",
  am: 'are',
};

const SECOND_TO_FIRST_PERSON: Record<string, string> = {
  your: 'my',
  yours: 'mine',
  yourself: 'myself',
  "you're": "I'm",
  "you've": "I've",
};

/**
 * Swaps the speaker's pronouns so a quoted claim can be addressed back to
 * them: "my cat likes me" becomes "your cat likes you". A "you" at the start
 * becomes "I", elsewhere "me".
 */
export function reflectPronouns(text: string): string {
  let index = 0;
  return text.replace(/[A-Za-z']+/g, (word) => {
    const lower = word.toLowerCase();
    const position = index;
    index += 1;
    if (lower === 'you') return position === 0 ? 'I' : 'me';
    const swapped = FIRST_TO_SECOND_PERSON[lower] ?? SECOND_TO_FIRST_PERSON[lower];
    return swapped ?? word;
  });
}

/** Joins items as "a, b or c". */
export function listWithOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** Replaces each {name} in `template` with its value; an unknown name is left as written. */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
