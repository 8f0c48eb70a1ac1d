/**
 * Short explanations of popular science questions. A message that asks
 * about, or makes a claim about, one of these topics gets the matching
 * explanation as the answer.
 */
export interface Fact {
  id: string;
  pattern: RegExp;
  text: string;
}

export const FACTS: readonly Fact[] = [
  {
    id: 'entropy',
    pattern: /\bentrop\w*/i,
    text: 'Entropy counts the ways the particles of a system can be arranged without changing what you measure from outside. A shuffled deck has vastly more arrangements than a sorted one, which is why shuffling sorts nothing: in an isolated system, entropy does not decrease.',
  },
  {
    id: 'gravity',
    pattern: /gravit\w*/i,
    text: 'Gravity is the attraction between masses. Newton described it as a force falling off with the square of the distance; Einstein described it as the curvature of spacetime by mass and energy, which also bends light and slows clocks near heavy objects.',
  },
  {
    id: 'lightning',
    pattern: /\blightning\b/i,
    text: 'Colliding ice particles in a storm cloud separate electric charge, until the voltage between cloud and ground, tens of millions of volts, tears the air into a conducting channel. The channel heats to about 30,000 kelvin in microseconds.',
  },
  {
    id: 'blue-sky',
    pattern: /\bsky\b.*\bblue\b|\bblue\b.*\bsky\b/i,
    text: 'Sunlight scatters off the molecules of the air, and short blue wavelengths scatter far more than long red ones. That is Rayleigh scattering, proportional to one over the wavelength to the fourth power, so blue light reaches your eyes from every part of the sky.',
  },
  {
    id: 'floating-ice',
    pattern: /\bice\b.*\bfloat|\bfloat\w*\b.*\bice\b/i,
    text: 'When water freezes, hydrogen bonds lock the molecules into an open lattice, so ice is about 9 percent less dense than liquid water and floats.',
  },
  {
    id: 'salty-sea',
    pattern: /\b(?:sea|ocean)s?\b.*\bsalt|\bsalt\w*\b.*\b(?:sea|ocean)s?\b/i,
    text: 'Rain dissolves minerals out of rocks, rivers carry them to the sea, and evaporation takes the water away but leaves the salt behind.',
  },
  {
    id: 'rainbow',
    pattern: /\brainbows?\b/i,
    text: 'Each raindrop refracts sunlight, reflects it once inside and refracts it again on the way out. Each colour bends by a slightly different amount, so each reaches you from a slightly different angle, about 42 degrees from the point opposite the Sun.',
  },
  {
    id: 'twinkling',
    pattern: /\btwinkl\w*/i,
    text: 'Turbulent layers of air bend starlight by slightly different amounts from moment to moment. Planets twinkle less because they appear as tiny discs rather than points.',
  },
  {
    id: 'seasons',
    pattern: /\bseasons?\b|\b(?:summer|winter)\b.*\b(?:closer|distance|farther|further)\b/i,
    text: 'Seasons come from the tilt of the Earth\'s axis, about 23.4 degrees, not from the distance to the Sun. The Earth is in fact closest to the Sun in early January, in the middle of the northern winter.',
  },
  {
    id: 'moon-phases',
    pattern: /\bmoon\b.*\b(?:phases?|shadow)\b|\bphases?\b.*\bmoon\b/i,
    text: 'The Moon\'s phases come from the angle between the Sun, the Moon and us: we see different amounts of its sunlit half. The Earth\'s shadow falls on the Moon only during a lunar eclipse.',
  },
  {
    id: 'thunder',
    pattern: /\bthunder\w*\b/i,
    text: 'A lightning bolt heats the air around it to tens of thousands of degrees in a few millionths of a second. The air expands violently, and the shock wave reaches you as thunder.',
  },
  {
    id: 'black-holes',
    pattern: /\bblack\s+holes?\b/i,
    text: 'A black hole is a region where gravity is so strong that the escape velocity exceeds the speed of light, so not even light gets out. It is no cosmic vacuum cleaner: from a safe distance it pulls like any other object of the same mass.',
  },
  {
    id: 'dark-night',
    pattern: /\bnight\b.*\bdark\b|\bdark\b.*\bnight\b/i,
    text: 'That is Olbers\' paradox! The universe has a finite age, so the light of most distant stars has not reached us yet, and the expansion of space stretches what does arrive into wavelengths our eyes cannot see.',
  },
  {
    id: 'magnets',
    pattern: /\bmagnet\w*/i,
    text: 'In a magnet, the spins of many electrons line up in regions called domains, so their tiny magnetic fields add up instead of cancelling out.',
  },
  {
    id: 'photosynthesis',
    pattern: /\bphotosynthe\w*|\b(?:trees?|plants?)\b.*\b(?:mass|food|grow)\b/i,
    text: 'Plants use the energy of light to turn carbon dioxide and water into glucose, releasing oxygen. Most of a tree\'s mass comes out of the air, not the soil.',
  },
  {
    id: 'mpemba',
    pattern: /\bhot\s+water\b.*\bfreez\w*|\bfreez\w*\b.*\bhot\s+water\b/i,
    text: 'That is the Mpemba effect. Hot water sometimes freezes faster than cold water, but the result depends on the container, on evaporation and on what you call frozen, and careful experiments disagree.',
  },
  {
    id: 'vaccines-autism',
    pattern: /\bvaccin\w*\b.*\bautis\w*|\bautis\w*\b.*\bvaccin\w*/i,
    text: 'No. Studies following millions of children found no link between vaccines and autism; a Danish study of more than 650,000 children, published in 2019, is one of them. The 1998 paper that started the scare was retracted.',
  },
  {
    id: 'sugar-hyperactivity',
    pattern: /sugar\b.*\bhyper\w*|\bhyper\w*\b.*\bsugar\b/i,
    text: 'Double-blind trials, where neither children nor parents knew who got sugar, found no effect on behaviour. Parents who merely believed their child had eaten sugar rated the child as more hyperactive, which is a lovely demonstration of expectation bias.',
  },
  {
    id: 'knuckles',
    pattern: /\bknuckles?\b/i,
    text: 'Cracking your knuckles has not been shown to cause arthritis. One doctor cracked the knuckles of only his left hand for about sixty years and found no difference between his hands, a splendidly stubborn controlled experiment.',
  },
  {
    id: 'great-wall',
    pattern: /\bgreat\s+wall\b/i,
    text: 'The Great Wall of China is not visible to the naked eye from the Moon, and it is hard to see even from low orbit: it is long but only a few metres wide, and about the colour of the ground around it.',
  },
  {
    id: 'bulls-red',
    pattern: /\bbulls?\b.*\bred\b|\bred\b.*\bbulls?\b/i,
    text: 'Bulls cannot tell red from green: cattle have two kinds of colour receptor, not three. It is the movement of the cape that provokes the charge.',
  },
  {
    id: 'shaving',
    pattern: /\bshav\w*\b.*\b(?:thick|dark|faster)\w*|\b(?:thick|dark|faster)\w*\b.*\bshav\w*/i,
    text: 'Shaving cuts a hair at its widest part and leaves a blunt tip, so regrowth feels coarser, but controlled studies found no change in its thickness, colour or rate of growth.',
  },
];
