import type { SeededRandom } from '../../random.ts';
import { GLOWS } from '../palette.ts';
import { element } from '../svg.ts';

const GRID = 8;
const CELL = 12;
const MARGIN = (128 - GRID * CELL) / 2;

/** Draws a left-right symmetric 8 by 8 pixel creature in two colours. */
export function drawPixel(random: SeededRandom): string {
  const [main, accent] = random.shuffle(GLOWS).slice(0, 2);
  const parts: string[] = [];
  for (let row = 0; row < GRID; row += 1) {
    for (let column = 0; column < GRID / 2; column += 1) {
      const roll = random.next();
      if (roll < 0.45) continue;
      const fill = roll < 0.85 ? main : accent;
      for (const x of [column, GRID - 1 - column]) {
        parts.push(element('rect', { x: MARGIN + x * CELL, y: MARGIN + row * CELL, width: CELL, height: CELL, fill }));
      }
    }
  }
  return parts.join('');
}
