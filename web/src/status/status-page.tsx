import type { ComponentChildren } from 'preact';
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

type Tone = 'good' | 'warn' | 'bad' | 'neutral';

/** Shows the gateway's view of the stack from GET /health, refreshed every few seconds. */
export function StatusPage({ client, hidden = false }: StatusPageProps) {
  const poll = useHealthPoll(client, !hidden);
  const { report } = poll;
  let gatewayStatus = 'unknown';
  if (poll.error) gatewayStatus = 'unreachable';
  else if (report) gatewayStatus = 'healthy';

  return (
    <div class="status-page" hidden={hidden}>
      <div class="status-head">
        <h1>Lab status</h1>
        <p class="muted">
          {poll.checkedAt ? `Checked at ${poll.checkedAt.toLocaleTimeString()}, every ${HEALTH_POLL_INTERVAL_MS / 1000} seconds.` : 'Checking…'}
          {report && (
            <>
              {' '}
              Overall: <span class={`badge badge-${statusTone(report.status)}`}>{report.status}</span>
            </>
          )}
        </p>
        {poll.requestId && (
          <p class="request-id">
            Request id: <code>{poll.requestId}</code>
          </p>
        )}
      </div>
      {poll.loading && <Busy active label="Checking the services" showLabel size="large" />}
      {poll.error ? <ErrorNotice error={poll.error} title="The gateway's health check failed." /> : null}
      {(report || poll.error) && (
        <ul class="status-grid">
          <li class="status-card" data-service="gateway" data-status={gatewayStatus}>
            <CardHead name="gateway" status={gatewayStatus} />
            <dl class="status-facts">
              <Fact label="Round trip">{formatMs(poll.error ? null : poll.roundTripMs)}</Fact>
              <Fact label="Uptime">{report?.gatewayUptimeSeconds == null ? '—' : formatDuration(report.gatewayUptimeSeconds)}</Fact>
            </dl>
            <Sparkline values={poll.samples.gateway ?? []} capacity={HEALTH_SAMPLE_COUNT} label="Gateway round trip times" />
          </li>
          {report?.services.map((service) => <ServiceCard key={service.name} service={service} samples={poll.samples[service.name] ?? []} />)}
        </ul>
      )}
      <p class="muted status-note">
        The gateway checks each upstream service every few seconds. After repeated failures it opens that service's circuit breaker and fails requests fast; once the open period ends, a successful half-open probe closes it again.
      </p>
    </div>
  );
}

function ServiceCard({ service, samples }: { service: ServiceHealth; samples: (number | null)[] }) {
  const title = SERVICE_TITLES[service.name] ?? service.name;
  return (
    <li class="status-card" data-service={service.name} data-status={service.status}>
      <CardHead name={service.name} status={service.status} />
      <dl class="status-facts">
        <Fact label="Response time">{formatMs(service.responseTimeMs)}</Fact>
        <Fact label="Circuit">{service.circuit ? <span class={`badge badge-${circuitTone(service.circuit)}`}>{service.circuit}</span> : '—'}</Fact>
        <Fact label="Failures in a row">{service.failures ? `${service.failures.count} of ${service.failures.threshold}` : '—'}</Fact>
        <Fact label="Last error">{service.error ?? 'none'}</Fact>
      </dl>
      <Sparkline values={samples} capacity={HEALTH_SAMPLE_COUNT} label={`${title} response times`} />
    </li>
  );
}

function CardHead({ name, status }: { name: string; status: string }) {
  return (
    <div class="status-card-head">
      <h2>{SERVICE_TITLES[name] ?? name}</h2>
      <span class={`badge badge-${statusTone(status)}`}>{status}</span>
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function formatMs(value: number | null): string {
  if (value === null) return '—';
  return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

function statusTone(status: string): Tone {
  if (status === 'healthy') return 'good';
  if (status === 'degraded') return 'warn';
  if (status === 'unknown') return 'neutral';
  return 'bad';
}

function circuitTone(circuit: string): Tone {
  if (circuit === 'closed') return 'good';
  if (circuit === 'half-open') return 'warn';
  if (circuit === 'open') return 'bad';
  return 'neutral';
}
