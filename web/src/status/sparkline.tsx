const MIN_SLOTS = 12;

interface SparklineProps {
  /** Oldest first; null marks a check without a time (the service did not respond). */
  values: (number | null)[];
  /** Maximum number of points across the width; the line grows from the right as samples arrive. */
  capacity: number;
  label: string;
  width?: number;
  height?: number;
}

/** Draws recent response times as a small SVG line chart. */
export function Sparkline({ values, capacity, label, width = 240, height = 56 }: SparklineProps) {
  const known = values.filter((value): value is number => value !== null);
  const max = Math.max(1, ...known);
  const pad = 3;
  // A few first samples spread over a dozen slots; from then on the chart widens up to `capacity`.
  const slots = Math.min(capacity, Math.max(MIN_SLOTS, values.length));
  const step = (width - pad * 2) / Math.max(1, slots - 1);
  const offset = slots - values.length;
  const x = (index: number) => pad + (index + offset) * step;
  const y = (value: number) => height - pad - (value / max) * (height - pad * 2);

  // Each run of consecutive checks with a time becomes one segment, so a gap shows a missed check.
  const segments: string[] = [];
  let current = '';
  values.forEach((value, index) => {
    if (value === null) {
      if (current) segments.push(current);
      current = '';
      return;
    }
    current += `${current ? 'L' : 'M'}${x(index).toFixed(1)} ${y(value).toFixed(1)}`;
  });
  if (current) segments.push(current);

  const lastIndex = values.length - 1;
  const last = values[lastIndex];
  const summary = known.length === 0 ? 'no response times yet' : `from ${Math.min(...known).toFixed(0)} to ${max.toFixed(0)} ms over the last ${values.length} checks`;

  return (
    <svg class="sparkline" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={`${label}: ${summary}`}>
      <line x1={pad} x2={width - pad} y1={height - pad} y2={height - pad} class="sparkline-base" />
      {segments.map((path) => (
        <path key={path} d={path} class="sparkline-line" />
      ))}
      {values.map((value, index) =>
        value === null ? <circle key={`gap-${index}`} cx={x(index)} cy={height - pad} r={1.8} class="sparkline-gap" /> : null,
      )}
      {last !== null && last !== undefined && <circle cx={x(lastIndex)} cy={y(last)} r={3} class="sparkline-dot" />}
    </svg>
  );
}
