import type { SeededRandom } from '../../random.ts';
import { GLOWS } from '../palette.ts';
import { element } from '../svg.ts';

/** Draws a conical or round flask of potion, filled to a random level, with rising bubbles. */
export function drawPotion(random: SeededRandom): string {
  const liquid = random.pick(GLOWS);
  const round = random.chance(0.5);
  const level = random.integer(0, 2);
  const bubbles = random.integer(3, 7);

  const outline = round
    ? 'M54 20 L74 20 L74 48 A32 32 0 1 1 54 48 Z'
    : 'M54 20 L74 20 L74 52 L104 110 Q106 116 100 116 L28 116 Q22 116 24 110 L54 52 Z';
  const liquidShape = round
    ? ['M36 80 A30 30 0 0 0 92 80 Z', 'M33 70 A31 31 0 1 0 95 70 Z', 'M40 60 A32 32 0 1 0 88 60 Z'][level]
    : ['M40 92 L88 92 L102 112 L26 112 Z', 'M46 80 L82 80 L102 112 L26 112 Z', 'M52 68 L76 68 L102 112 L26 112 Z'][level];

  const parts = [
    element('path', { d: liquidShape, fill: liquid, 'fill-opacity': 0.85 }),
    element('path', { d: outline, fill: '#ffffff', 'fill-opacity': 0.12, stroke: '#e8f1f8', 'stroke-width': 4, 'stroke-linejoin': 'round' }),
    element('rect', { x: 50, y: 12, width: 28, height: 9, rx: 3, fill: '#8b5a2b' }),
  ];
  for (let i = 0; i < bubbles; i += 1) {
    parts.push(
      element('circle', {
        cx: random.integer(44, 84),
        cy: random.integer(24, 100),
        r: random.integer(2, 6),
        fill: '#ffffff',
        'fill-opacity': 0.55,
      }),
    );
  }
  return parts.join('');
}
