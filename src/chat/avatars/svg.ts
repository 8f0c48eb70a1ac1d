/**
 * A small SVG writer. Every attribute value is escaped and attribute names
 * are checked, so no event handler, link or script can enter an avatar even
 * if a style passes an unexpected value.
 */
export type Attributes = Record<string, string | number>;

const NAME = /^[a-z][a-z0-9-]*$/i;
const FORBIDDEN_ATTRIBUTE = /^(?:on|href$|xlink|src$|style$)/i;
const ALLOWED_ELEMENTS = new Set(['svg', 'title', 'g', 'rect', 'circle', 'ellipse', 'path', 'polygon', 'line', 'polyline']);

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Formats a number with at most two decimals, the same way on every platform. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`SVG number is not finite: ${value}`);
  return String(Math.round(value * 100) / 100);
}

export function element(name: string, attributes: Attributes = {}, children = ''): string {
  if (!ALLOWED_ELEMENTS.has(name)) throw new TypeError(`SVG element <${name}> is not allowed in avatars`);
  const parts = [name];
  for (const [key, value] of Object.entries(attributes)) {
    if (!NAME.test(key) || FORBIDDEN_ATTRIBUTE.test(key)) throw new TypeError(`SVG attribute "${key}" is not allowed in avatars`);
    const text = typeof value === 'number' ? formatNumber(value) : value;
    parts.push(`${key}="${escapeXml(text)}"`);
  }
  return children === '' ? `<${parts.join(' ')}/>` : `<${parts.join(' ')}>${children}</${name}>`;
}

/** Joins points as the `points` attribute of a polygon. */
export function points(list: ReadonlyArray<readonly [number, number]>): string {
  return list.map(([x, y]) => `${formatNumber(x)},${formatNumber(y)}`).join(' ');
}
