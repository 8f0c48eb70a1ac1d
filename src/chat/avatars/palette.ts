/** Colours shared by the avatar styles. */
export const BACKGROUNDS = ['#1f2a44', '#2d1b3d', '#12343b', '#3b2f2f', '#243b2a', '#3a2b4f', '#402218', '#1b3a4b'] as const;
export const SKIN_TONES = ['#f5d0b0', '#e8b48f', '#c98e63', '#a0673f', '#7a4a2a', '#ffe0c2'] as const;
export const HAIR_COLOURS = ['#f2f2f2', '#d9d9d9', '#ffb347', '#8b5a2b', '#222222', '#b03a2e', '#6c5ce7'] as const;
export const GLOWS = ['#7CFC00', '#00e5ff', '#ff4fd8', '#ffd400', '#ff6b35', '#9b5de5', '#00f5a0'] as const;
export const METALS = ['#9aa5b1', '#b8c2cc', '#7b8794', '#c0a16b', '#a3b18a'] as const;
