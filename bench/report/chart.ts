/**
 * The benchmark chart as a hand-written SVG: one panel per metric, one bar
 * per system showing the median over rounds, with a whisker from the
 * minimum to the maximum round.
 */
import type { Spread } from './stats.ts';
import { formatNumber } from './table.ts';

export interface ChartPanel {
  title: string;
  /** One value per system, in the order of `ChartInput.systems`; undefined leaves a gap. */
  values: (Spread | undefined)[];
}

export interface ChartSeries {
  label: string;
  /** Fill color, fixed per system so that charts of different runs compare at a glance. */
  color: string;
}

export interface ChartInput {
  title: string;
  /** Lines under the title. */
  subtitle: string[];
  systems: ChartSeries[];
  panels: ChartPanel[];
}
const PANEL_WIDTH = 250;
const PANEL_HEIGHT = 260;
const PLOT_TOP = 90;
const LEFT = 55;
const GAP = 30;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Returns a step of 1, 2 or 5 times a power of ten that splits `max` into about four parts. */
export function niceStep(max: number): number {
  if (!(max > 0)) return 1;
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  for (const factor of [1, 2, 5]) {
    if (fraction <= factor) return factor * power;
  }
  return 10 * power;
}

function formatTick(value: number, step: number): string {
  if (step >= 1) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(Math.ceil(-Math.log10(step)));
}

function renderPanel(panel: ChartPanel, index: number, systems: ChartSeries[]): string {
  const systemCount = systems.length;
  const x0 = LEFT + index * (PANEL_WIDTH + GAP);
  const plotBottom = PLOT_TOP + PANEL_HEIGHT;
  const top = Math.max(...panel.values.map((value) => (value && value.samples > 0 ? value.max : 0)));
  const step = niceStep(top);
  const axisMax = Math.max(step, Math.ceil(top / step) * step);
  const y = (value: number): number => plotBottom - (value / axisMax) * PANEL_HEIGHT;
  const parts: string[] = [];

  parts.push(`<text x="${x0 + PANEL_WIDTH / 2}" y="${PLOT_TOP - 14}" text-anchor="middle" class="panel">${escapeXml(panel.title)}</text>`);
  for (let tick = 0; tick <= axisMax + step / 2; tick += step) {
    parts.push(`<line x1="${x0}" x2="${x0 + PANEL_WIDTH}" y1="${y(tick)}" y2="${y(tick)}" class="grid"/>`);
    parts.push(`<text x="${x0 - 4}" y="${y(tick) + 4}" text-anchor="end" class="tick">${formatTick(tick, step)}</text>`);
  }

  const slot = PANEL_WIDTH / systemCount;
  const barWidth = slot * 0.7;
  panel.values.forEach((value, systemIndex) => {
    if (!value || value.samples === 0) return;
    const barX = x0 + systemIndex * slot + (slot - barWidth) / 2;
    const center = barX + barWidth / 2;
    parts.push(
      `<rect x="${barX.toFixed(1)}" y="${y(value.median).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(plotBottom - y(value.median)).toFixed(1)}" fill="${systems[systemIndex].color}"/>`,
    );
    if (value.samples > 1) {
      parts.push(`<line x1="${center}" x2="${center}" y1="${y(value.min).toFixed(1)}" y2="${y(value.max).toFixed(1)}" class="whisker"/>`);
      for (const end of [value.min, value.max]) {
        parts.push(`<line x1="${center - 5}" x2="${center + 5}" y1="${y(end).toFixed(1)}" y2="${y(end).toFixed(1)}" class="whisker"/>`);
      }
    }
    parts.push(`<text x="${center}" y="${(y(value.max) - 5).toFixed(1)}" text-anchor="middle" class="value">${formatNumber(value.median)}</text>`);
  });
  parts.push(`<line x1="${x0}" x2="${x0 + PANEL_WIDTH}" y1="${plotBottom}" y2="${plotBottom}" class="axis"/>`);
  return parts.join('\n  ');
}

export function renderChart(input: ChartInput): string {
  const width = LEFT + input.panels.length * (PANEL_WIDTH + GAP) + 10;
  const plotTop = PLOT_TOP + 16 * (input.subtitle.length - 1);
  const legendTop = plotTop + PANEL_HEIGHT + 30;
  const height = legendTop + 24 * Math.ceil(input.systems.length / 3) + 10;
  const legend = input.systems.map((series, index) => {
    const column = index % 3;
    const row = Math.floor(index / 3);
    const x = LEFT + column * 300;
    const yPosition = legendTop + row * 24;
    return `<rect x="${x}" y="${yPosition}" width="14" height="14" fill="${series.color}"/><text x="${x + 20}" y="${yPosition + 12}" class="legend">${escapeXml(series.label)}</text>`;
  });
  const subtitle = input.subtitle.map(
    (line, index) => `<text x="${LEFT}" y="${48 + index * 16}" class="subtitle">${escapeXml(line)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
  <style>
    .title { font-size: 18px; font-weight: bold; }
    .subtitle { font-size: 12px; fill: #444; }
    .panel { font-size: 14px; font-weight: bold; }
    .tick, .value { font-size: 11px; fill: #333; }
    .legend { font-size: 13px; }
    .grid { stroke: #ddd; stroke-width: 1; }
    .axis { stroke: #333; stroke-width: 1; }
    .whisker { stroke: #111; stroke-width: 1.5; }
  </style>
  <rect width="100%" height="100%" fill="#fff"/>
  <text x="${LEFT}" y="28" class="title">${escapeXml(input.title)}</text>
  ${subtitle.join('\n  ')}
  <g transform="translate(0 ${plotTop - PLOT_TOP})">
  ${input.panels.map((panel, index) => renderPanel(panel, index, input.systems)).join('\n  ')}
  </g>
  ${legend.join('\n  ')}
</svg>
`;
}
