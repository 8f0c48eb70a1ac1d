import { useDelayedFlag } from './use-delayed-flag.ts';

interface SpinnerProps {
  /** Description of the wait, read out by screen readers. */
  label: string;
  size?: 'small' | 'large';
}

export function Spinner({ label, size = 'small' }: SpinnerProps) {
  return (
    <span class={`spinner spinner-${size}`} role="status">
      <svg viewBox="0 0 24 24" aria-hidden="true">
        <circle cx="12" cy="12" r="9" fill="none" stroke-width="3" />
      </svg>
      <span class="visually-hidden">{label}</span>
    </span>
  );
}

interface BusyProps extends SpinnerProps {
  active: boolean;
  /** Shows the label next to the spinner, not only to screen readers. */
  showLabel?: boolean;
}

/** Renders a spinner once the wait has lasted SPINNER_DELAY_MS, and nothing before. */
export function Busy({ active, label, size, showLabel = false }: BusyProps) {
  const visible = useDelayedFlag(active);
  if (!visible) return null;
  return (
    <span class="busy">
      <Spinner label={label} size={size} />
      {showLabel && <span aria-hidden="true">{label}</span>}
    </span>
  );
}
