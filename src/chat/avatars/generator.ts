import { AppError } from '../../common/errors.ts';
import { SeededRandom } from '../random.ts';
import { BACKGROUNDS } from './palette.ts';
import { drawPixel } from './styles/pixel.ts';
import { drawPotion } from './styles/potion.ts';
import { drawRobot } from './styles/robot.ts';
import { drawScientist } from './styles/scientist.ts';
import { element } from './svg.ts';

export const AVATAR_STYLES = ['scientist', 'robot', 'pixel', 'potion'] as const;
export type AvatarStyle = (typeof AVATAR_STYLES)[number];
export const DEFAULT_AVATAR_STYLE: AvatarStyle = 'scientist';

const DRAWERS: Record<AvatarStyle, (random: SeededRandom) => string> = {
  scientist: drawScientist,
  robot: drawRobot,
  pixel: drawPixel,
  potion: drawPotion,
};

/**
 * Part of every random seed. Changing a style's drawing changes the images
 * of existing seeds, so raise it then; stored avatars keep their bytes.
 */
const GENERATOR_VERSION = 1;

export interface AvatarInput {
  userId: string;
  style: string;
  seed: string;
}

export function isAvatarStyle(style: string): style is AvatarStyle {
  return (AVATAR_STYLES as readonly string[]).includes(style);
}

/** Throws VALIDATION_FAILED naming `style` and listing the styles when `style` is unknown. */
export function assertAvatarStyle(style: string): asserts style is AvatarStyle {
  if (isAvatarStyle(style)) return;
  throw new AppError('VALIDATION_FAILED', `Unknown avatar style; use one of ${AVATAR_STYLES.join(', ')}.`, {
    details: [{ field: 'style', message: `must be one of ${AVATAR_STYLES.join(', ')}`, allowed: [...AVATAR_STYLES] }],
  });
}

/**
 * Draws a 128 by 128 SVG avatar. The same user id, style and seed always give
 * the same bytes. The inputs only seed the random source and never appear in
 * the image, which holds no scripts, links or external references.
 */
export function generateAvatar(input: AvatarInput): string {
  assertAvatarStyle(input.style);
  const random = new SeededRandom(JSON.stringify(['avatar', GENERATOR_VERSION, input.userId, input.style, input.seed]));
  const background = element('rect', { width: 128, height: 128, rx: 24, fill: random.pick(BACKGROUNDS) });
  const drawing = DRAWERS[input.style](random.fork('drawing'));
  return element(
    'svg',
    { xmlns: 'http://www.w3.org/2000/svg', width: 128, height: 128, viewBox: '0 0 128 128', role: 'img', 'aria-label': 'Avatar' },
    `${background}${drawing}`,
  );
}
