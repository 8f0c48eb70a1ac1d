/**
 * OpenTelemetry span export, on only when OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set. The SDK is imported only then,
 * so a gateway without it loads and runs none of its code. Spans go to an
 * OTLP/HTTP collector as JSON, in batches.
 */
import type { Span } from '@opentelemetry/api';
import { readBoolean, readHttpUrl, readInteger, readString, type Env } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import type { TraceContext } from '../common/trace-context.ts';

export interface OtelSettings {
  /** Full URL of the OTLP/HTTP traces endpoint, such as http://collector:4318/v1/traces. */
  tracesUrl: string;
  serviceName: string;
  /** Maximum wait before a batch of finished spans is sent. */
  scheduleDelayMs: number;
  exportTimeoutMs: number;
}

/**
 * Reads the standard OpenTelemetry variables: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 * is used as given, OTEL_EXPORTER_OTLP_ENDPOINT gets `/v1/traces` appended.
 * Returns null when neither is set or OTEL_SDK_DISABLED is true.
 */
export function readOtelSettings(env: Env, defaultServiceName: string): OtelSettings | null {
  if (readBoolean(env, 'OTEL_SDK_DISABLED', false)) return null;
  let tracesUrl = readHttpUrl(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (tracesUrl === undefined) {
    const base = readHttpUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    if (base === undefined) return null;
    tracesUrl = `${base}/v1/traces`;
  }
  return {
    tracesUrl,
    serviceName: readString(env, 'OTEL_SERVICE_NAME', defaultServiceName),
    scheduleDelayMs: readInteger(env, 'OTEL_BSP_SCHEDULE_DELAY', 5000, { min: 1, max: 600_000 }),
    exportTimeoutMs: readInteger(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, { min: 1, max: 600_000 }),
  };
}

/** Starts server spans that continue the caller's trace, and exports them. */
export interface SpanRecorder {
  /** Starts the span of one client request, a child of `parent` when the request carried a valid traceparent. */
  startServerSpan(parent: TraceContext | null, name: string): Span;
  /** Sends the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

export async function createSpanRecorder(settings: OtelSettings, logger: Logger): Promise<SpanRecorder> {
  const [api, base, otlp, resources] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const exporter = new otlp.OTLPTraceExporter({ url: settings.tracesUrl, timeoutMillis: settings.exportTimeoutMs });
  const provider = new base.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': settings.serviceName }),
    // A request that arrives with a trace keeps its caller's sampling decision; a new trace is always sampled.
    sampler: new base.ParentBasedSampler({ root: new base.AlwaysOnSampler() }),
    spanProcessors: [new base.BatchSpanProcessor(exporter, { scheduledDelayMillis: settings.scheduleDelayMs })],
  });
  const tracer = provider.getTracer('mad-scientist-gateway');
  // Export failures are reported through the SDK's diagnostic logger, which is silent unless one is set.
  // NOTE: the diagnostic logger is global, so with several gateways in one process the last one started reports.
  const report = (message: string, ...args: unknown[]) => logger.warn({ details: args.map(String) }, `OpenTelemetry: ${message}`);
  api.diag.setLogger({ error: report, warn: report, info: () => {}, debug: () => {}, verbose: () => {} }, api.DiagLogLevel.WARN);
  logger.info({ endpoint: settings.tracesUrl, serviceName: settings.serviceName }, 'exporting spans over OTLP/HTTP');

  return {
    startServerSpan(parent, name) {
      const context =
        parent === null
          ? api.ROOT_CONTEXT
          : api.trace.setSpanContext(api.ROOT_CONTEXT, {
              traceId: parent.traceId,
              spanId: parent.parentId,
              traceFlags: Number.parseInt(parent.flags, 16),
              isRemote: true,
            });
      return tracer.startSpan(name, { kind: api.SpanKind.SERVER }, context);
    },
    async shutdown() {
      try {
        await provider.shutdown();
      } catch (error) {
        logger.warn({ err: error }, 'spans could not be sent at shutdown');
      }
    },
  };
}

