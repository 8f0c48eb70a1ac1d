import type { SeededRandom } from '../../random.ts';
import { GLOWS, HAIR_COLOURS, SKIN_TONES } from '../palette.ts';
import { element, points } from '../svg.ts';

/** Draws a scientist's face with wild hair, goggles, a lab coat collar and sometimes a moustache. */
export function drawScientist(random: SeededRandom): string {
  const skin = random.pick(SKIN_TONES);
  const hair = random.pick(HAIR_COLOURS);
  const lens = random.pick(GLOWS);
  const spikes = random.integer(7, 12);

  // Hair: a ring of spikes around the head, each a random length.
  const hairPoints: Array<[number, number]> = [];
  for (let i = 0; i <= spikes * 2; i += 1) {
    const angle = Math.PI + (Math.PI * i) / (spikes * 2);
    const radius = i % 2 === 0 ? 34 : 34 + random.integer(8, 20);
    hairPoints.push([64 + Math.cos(angle) * radius * 1.15, 62 + Math.sin(angle) * radius]);
  }

  const gogglesOnEyes = random.chance(0.5);
  const eyeY = 64;
  const goggleY = gogglesOnEyes ? eyeY : 44;
  const parts = [
    element('path', { d: 'M16 128 L28 100 L64 112 L100 100 L112 128 Z', fill: '#f4f7fb' }),
    element('path', { d: 'M52 106 L64 122 L76 106', fill: 'none', stroke: '#c7d0db', 'stroke-width': 3 }),
    element('polygon', { points: points(hairPoints), fill: hair }),
    element('ellipse', { cx: 64, cy: 66, rx: 30, ry: 34, fill: skin }),
  ];
  if (!gogglesOnEyes) {
    parts.push(element('circle', { cx: 53, cy: eyeY, r: 3.5, fill: '#1b1b1b' }));
    parts.push(element('circle', { cx: 75, cy: eyeY, r: 3.5, fill: '#1b1b1b' }));
  }
  parts.push(element('rect', { x: 34, y: goggleY - 3, width: 60, height: 6, fill: '#3d3d3d' }));
  for (const cx of [53, 75]) {
    parts.push(element('circle', { cx, cy: goggleY, r: 10, fill: '#555555' }));
    parts.push(element('circle', { cx, cy: goggleY, r: 7, fill: lens, 'fill-opacity': 0.75 }));
  }
  parts.push(
    random.chance(0.5)
      ? element('path', { d: 'M50 84 Q64 96 78 84', fill: 'none', stroke: '#5a2d1a', 'stroke-width': 3, 'stroke-linecap': 'round' })
      : element('ellipse', { cx: 64, cy: 86, rx: 6, ry: 4, fill: '#5a2d1a' }),
  );
  if (random.chance(0.4)) {
    parts.push(element('path', { d: 'M48 79 Q56 72 64 78 Q72 72 80 79 Q72 76 64 81 Q56 76 48 79 Z', fill: hair }));
  }
  return parts.join('');
}
