/** Reading of the gateway's GET /health body into rows for the status page. */

export interface ServiceHealth {
  name: string;
  /** "healthy", "degraded" or "unhealthy", or "unknown" when the body has none. */
  status: string;
  /** The gateway's circuit breaker state for this upstream: "closed", "open" or "half-open"; null when not reported. */
  circuit: string | null;
  /** Consecutive failures counted by the circuit breaker, and how many open it. */
  failures: { count: number; threshold: number } | null;
  /** Response time of the gateway's latest check of this upstream, in milliseconds. */
  responseTimeMs: number | null;
  /** Error code of the latest failed check, such as UPSTREAM_UNAVAILABLE. */
  error: string | null;
}

export interface HealthReport {
  /** The gateway's overall status. */
  status: string;
  /** Seconds since the gateway started. */
  gatewayUptimeSeconds: number | null;
  services: ServiceHealth[];
}

/**
 * Reads `{status, gateway: {uptime_seconds}, services: {<name>: {status,
 * response_time_ms, error, circuit: {state, failures, failure_threshold}}}}`.
 * Missing or mistyped fields become null instead of failing the page.
 */
export function parseHealth(body: unknown): HealthReport {
  const root = isRecord(body) ? body : {};
  const gateway = isRecord(root.gateway) ? root.gateway : {};
  const services = isRecord(root.services) ? root.services : {};
  return {
    status: stringOr(root.status, 'unknown'),
    gatewayUptimeSeconds: numberOrNull(gateway.uptime_seconds),
    services: Object.entries(services).map(([name, value]) => parseService(name, value)),
  };
}

function parseService(name: string, value: unknown): ServiceHealth {
  const entry = isRecord(value) ? value : {};
  const circuit = isRecord(entry.circuit) ? entry.circuit : {};
  const count = numberOrNull(circuit.failures);
  const threshold = numberOrNull(circuit.failure_threshold);
  return {
    name,
    status: stringOr(entry.status, 'unknown'),
    circuit: circuitStateOf(entry.circuit),
    failures: count !== null && threshold !== null ? { count, threshold } : null,
    responseTimeMs: numberOrNull(entry.response_time_ms),
    error: typeof entry.error === 'string' ? entry.error : null,
  };
}

/** Accepts the circuit as a snapshot object with `state` or as a bare state name. */
function circuitStateOf(circuit: unknown): string | null {
  if (typeof circuit === 'string') return circuit;
  if (isRecord(circuit) && typeof circuit.state === 'string') return circuit.state;
  return null;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
