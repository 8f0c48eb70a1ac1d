import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/api-error.ts';
import { readJson, type ApiClient } from '../api/api-client.ts';
import { parseHealth, type HealthReport } from './health.ts';

/** Interval between the status page's requests for /health. */
export const HEALTH_POLL_INTERVAL_MS = 3000;
/** How many checks each sparkline keeps. */
export const HEALTH_SAMPLE_COUNT = 40;

export interface HealthPoll {
  report: HealthReport | null;
  /** Recent response times per service name, oldest first; the gateway's own round trip is under "gateway". */
  samples: Record<string, (number | null)[]>;
  /** Round trip of the latest /health call as the browser measured it, in milliseconds. */
  roundTripMs: number | null;
  checkedAt: Date | null;
  requestId: string | null;
  error: unknown;
  loading: boolean;
}

/** Polls GET /health while the page is visible, keeping a short history for the sparklines. */
export function useHealthPoll(client: ApiClient, active: boolean): HealthPoll {
  const [poll, setPoll] = useState<HealthPoll>({ report: null, samples: {}, roundTripMs: null, checkedAt: null, requestId: null, error: null, loading: true });
  const running = useRef(false);

  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    async function check() {
      if (running.current) return;
      running.current = true;
      const started = performance.now();
      try {
        const response = await client.sendPublic('GET', '/health', { signal: AbortSignal.timeout(HEALTH_POLL_INTERVAL_MS * 2) });
        const body = await readJson(response);
        const roundTripMs = performance.now() - started;
        const report = parseHealth(body);
        const requestId = response.headers.get('x-request-id');
        if (!stopped) setPoll((previous) => ({ report, samples: addSamples(previous.samples, report, roundTripMs), roundTripMs, checkedAt: new Date(), requestId, error: null, loading: false }));
      } catch (error) {
        const failure = error instanceof DOMException && error.name === 'TimeoutError' ? new ApiError('UPSTREAM_TIMEOUT', 'The gateway did not respond to /health in time.') : error;
        if (!stopped) setPoll((previous) => ({ ...previous, samples: addGap(previous.samples), error: failure, loading: false }));
      } finally {
        running.current = false;
        if (!stopped) timer = setTimeout(tick, HEALTH_POLL_INTERVAL_MS);
      }
    }

    function tick() {
      // A hidden tab skips checks; the visibility listener resumes them.
      if (document.hidden) return;
      void check();
    }

    function onVisibility() {
      if (!document.hidden && !running.current) {
        clearTimeout(timer);
        void check();
      }
    }

    void check();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [client, active]);

  return poll;
}

function addSamples(samples: Record<string, (number | null)[]>, report: HealthReport, roundTripMs: number): Record<string, (number | null)[]> {
  const next: Record<string, (number | null)[]> = { gateway: append(samples.gateway, roundTripMs) };
  for (const service of report.services) next[service.name] = append(samples[service.name], service.responseTimeMs);
  return next;
}

function addGap(samples: Record<string, (number | null)[]>): Record<string, (number | null)[]> {
  const next: Record<string, (number | null)[]> = {};
  for (const [name, values] of Object.entries(samples)) next[name] = append(values, null);
  if (!next.gateway) next.gateway = [null];
  return next;
}

function append(values: (number | null)[] | undefined, value: number | null): (number | null)[] {
  return [...(values ?? []), value].slice(-HEALTH_SAMPLE_COUNT);
}
