import { useEffect, useState } from 'preact/hooks';

/** How long a wait runs before a spinner appears; shorter waits would only flicker. */
export const SPINNER_DELAY_MS = 300;

/** Returns true once `active` has stayed true for `delayMs`, and false again as soon as it turns false. */
export function useDelayedFlag(active: boolean, delayMs = SPINNER_DELAY_MS): boolean {
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    if (!active) {
      setVisible(false);
      return;
    }
    const timer = setTimeout(() => setVisible(true), delayMs);
    return () => clearTimeout(timer);
  }, [active, delayMs]);
  return active && visible;
}
