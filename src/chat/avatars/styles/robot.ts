import type { SeededRandom } from '../../random.ts';
import { GLOWS, METALS } from '../palette.ts';
import { element } from '../svg.ts';

/** Draws a robot head with an antenna, glowing eyes, a speaker-grille mouth and bolts. */
export function drawRobot(random: SeededRandom): string {
  const metal = random.pick(METALS);
  const glow = random.pick(GLOWS);
  const width = random.integer(60, 76);
  const height = random.integer(54, 66);
  const left = 64 - width / 2;
  const top = 70 - height / 2;
  const roundEyes = random.chance(0.5);
  const grilleBars = random.integer(3, 6);

  const parts = [
    element('line', { x1: 64, y1: top, x2: 64, y2: top - 16, stroke: metal, 'stroke-width': 4 }),
    element('circle', { cx: 64, cy: top - 18, r: 6, fill: glow }),
    element('rect', { x: left - 6, y: 62, width: 6, height: 16, fill: metal }),
    element('rect', { x: left + width, y: 62, width: 6, height: 16, fill: metal }),
    element('rect', { x: left, y: top, width, height, rx: 10, fill: metal, stroke: '#4a5560', 'stroke-width': 2 }),
  ];
  for (const cx of [64 - width / 4, 64 + width / 4]) {
    parts.push(
      roundEyes
        ? element('circle', { cx, cy: top + height * 0.38, r: 8, fill: glow })
        : element('rect', { x: cx - 9, y: top + height * 0.38 - 5, width: 18, height: 10, rx: 2, fill: glow }),
    );
  }
  const grilleWidth = width * 0.5;
  const mouthTop = top + height * 0.66;
  parts.push(element('rect', { x: 64 - grilleWidth / 2, y: mouthTop, width: grilleWidth, height: 10, rx: 2, fill: '#2b2f36' }));
  for (let i = 1; i < grilleBars; i += 1) {
    const x = 64 - grilleWidth / 2 + (grilleWidth * i) / grilleBars;
    parts.push(element('line', { x1: x, y1: mouthTop, x2: x, y2: mouthTop + 10, stroke: metal, 'stroke-width': 1.5 }));
  }
  for (const [x, y] of [
    [left + 6, top + 6],
    [left + width - 6, top + 6],
    [left + 6, top + height - 6],
    [left + width - 6, top + height - 6],
  ]) {
    parts.push(element('circle', { cx: x, cy: y, r: 2.5, fill: '#4a5560' }));
  }
  return parts.join('');
}
