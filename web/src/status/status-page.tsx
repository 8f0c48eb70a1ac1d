import type { ApiClient } from '../api/api-client.ts';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { Busy } from '../ui/spinner.tsx';
import type { ServiceHealth } from './health.ts';
import { Sparkline } from './sparkline.tsx';
import { HEALTH_POLL_INTERVAL_MS, HEALTH_SAMPLE_COUNT, useHealthPoll } from './use-health-poll.ts';

interface StatusPageProps {
  client: ApiClient;
  hidden?: boolean;
}

const SERVICE_TITLES: Record<string, string> = {
  gateway: 'Gateway',
  auth: 'Auth service',
  chat: 'Chat service',
};

/** The gateway's view of the stack from GET /health, refreshed every few seconds. */
export function StatusPage({ client, hidden = false }: StatusPageProps) {
  const poll = useHealthPoll(client, !hidden);
  const { report } = poll;
  const gateway: ServiceHealth = {
    name: 'gateway',
    status: poll.error ? 'unreachable' : (report?.status ?? 'unknown'),
    circuit: null,
    responseTimeMs: poll.error ? null : poll.roundTripMs,
  };
  const rows = report ? [gateway, ...report.services] : poll.error ? [gateway] : [];

  return (
    <div class="status-page" hidden={hidden}>
      <div class="status-head">
        <h1>Lab status</h1>
        <p class="muted" aria-live="polite">
          {poll.checkedAt ? `Checked at ${poll.checkedAt.toLocaleTimeString()}, every ${HEALTH_POLL_INTERVAL_MS / 1000} seconds.` : 'Checking…'}
          {poll.requestId && (
            <>
              {' '}
              Request id <code>{poll.requestId}</code>
            </>
          )}
        </p>
      </div>
      {poll.loading && <Busy active label="Checking the services" showLabel size="large" />}
      {poll.error ? <ErrorNotice error={poll.error} title="The gateway's health check failed." /> : null}
      <ul class="status-grid">
        {rows.map((service) => (
          <li key={service.name} class="status-card" data-service={service.name} data-status={service.status}>
            <div class="status-card-head">
              <h2>{SERVICE_TITLES[service.name] ?? service.name}</h2>
              <span class={`badge badge-${tone(service.status)}`}>{service.status}</span>
            </div>
            <dl class="status-facts">
              <div>
                <dt>Response time</dt>
                <dd>{service.responseTimeMs === null ? '—' : `${service.responseTimeMs.toFixed(service.responseTimeMs < 10 ? 1 : 0)} ms`}</dd>
              </div>
              <div>
                <dt>Circuit</dt>
                <dd>{service.name === 'gateway' ? 'n/a' : service.circuit ? <span class={`badge badge-${circuitTone(service.circuit)}`}>{service.circuit}</span> : 'not reported'}</dd>
              </div>
            </dl>
            <Sparkline values={poll.samples[service.name] ?? []} capacity={HEALTH_SAMPLE_COUNT} label={`${SERVICE_TITLES[service.name] ?? service.name} response times`} />
          </li>
        ))}
      </ul>
      <p class="muted status-note">
        The gateway checks each upstream service and opens its circuit breaker after repeated failures; an open circuit fails requests fast until a half-open trial call succeeds.
      </p>
    </div>
  );
}

function tone(status: string): 'good' | 'warn' | 'bad' | 'neutral' {
  if (status === 'healthy' || status === 'ok' || status === 'up') return 'good';
  if (status === 'degraded') return 'warn';
  if (status === 'unknown') return 'neutral';
  return 'bad';
}

function circuitTone(circuit: string): 'good' | 'warn' | 'bad' | 'neutral' {
  if (circuit === 'closed') return 'good';
  if (circuit === 'half-open' || circuit === 'half_open') return 'warn';
  if (circuit === 'open') return 'bad';
  return 'neutral';
}
