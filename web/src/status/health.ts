/** Reading of the gateway's GET /health body into rows for the status page. */

export interface ServiceHealth {
  name: string;
  /** "healthy", "unhealthy", "degraded" or whatever word the gateway sent. */
  status: string;
  /** The gateway's circuit breaker state for this upstream: "closed", "open" or "half-open"; null when not reported. */
  circuit: string | null;
  /** Response time of the gateway's latest check of this upstream, in milliseconds. */
  responseTimeMs: number | null;
}

export interface HealthReport {
  /** The gateway's overall status. */
  status: string;
  services: ServiceHealth[];
}

/**
 * Reads `{status, services: {<name>: {...}}}`. Field names for circuit and
 * response time vary between gateway versions, so several are accepted.
 */
export function parseHealth(body: unknown): HealthReport {
  const root = isRecord(body) ? body : {};
  const status = typeof root.status === 'string' ? root.status : 'unknown';
  const services = isRecord(root.services) ? root.services : {};
  return {
    status,
    services: Object.entries(services).map(([name, value]) => parseService(name, value)),
  };
}

function parseService(name: string, value: unknown): ServiceHealth {
  const entry = isRecord(value) ? value : {};
  return {
    name,
    status: typeof entry.status === 'string' ? entry.status : 'unknown',
    circuit: circuitOf(entry),
    responseTimeMs: firstNumber(entry, ['response_time_ms', 'latency_ms', 'responseTimeMs', 'duration_ms']),
  };
}

function circuitOf(entry: Record<string, unknown>): string | null {
  for (const key of ['circuit', 'circuit_state', 'breaker', 'breaker_state']) {
    const value = entry[key];
    if (typeof value === 'string') return value;
    if (isRecord(value) && typeof value.state === 'string') return value.state;
  }
  return null;
}

function firstNumber(entry: Record<string, unknown>, keys: string[]): number | null {
  for (const key of keys) {
    const value = entry[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
