/**
 * Trace context at the gateway. Each request continues the trace of a valid
 * incoming `traceparent` or starts a new one, and gets a span id of its own.
 * Upstream calls carry `traceparent` with that span id as their parent, so
 * the services' log lines (`trace_id`) and exported spans join the same trace.
 * An invalid `traceparent` is replaced by a new trace, and its `tracestate`
 * is dropped because it belongs to the discarded trace.
 *
 * With an OpenTelemetry SpanRecorder the request's span is exported when the
 * response ends; without one only the ids are made, from a pooled random
 * buffer.
 */
import type { IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent } from '../common/trace-context.ts';
import type { SpanRecorder } from './otel.ts';

/** The trace of one client request. */
export interface RequestTrace {
  traceId: string;
  /** The gateway's span for this request, sent upstream as the parent id. */
  spanId: string;
  /** The traceparent header for upstream calls. */
  traceparent: string;
  /** The caller's tracestate, kept only with a valid traceparent. */
  tracestate: string | undefined;
  span: Span | null;
}

const kTrace = Symbol('gatewayTrace');
type TracedRequest = IncomingMessage & { [kTrace]?: RequestTrace };

/** Flags of a trace the gateway starts without recording it: not sampled. */
const NOT_SAMPLED = '00';
const STATUS_ERROR = 2;

export class GatewayTracing {
  readonly #recorder: SpanRecorder | null;

  constructor(recorder: SpanRecorder | null) {
    this.#recorder = recorder;
  }

  /**
   * Starts the request's trace and returns its id. Runs before any hook,
   * when Fastify creates the request's logger, so every log line of the
   * request carries the id.
   */
  begin(raw: IncomingMessage): string {
    const existing = (raw as TracedRequest)[kTrace];
    if (existing) return existing.traceId;
    const parent = parseTraceparent(raw.headers.traceparent);
    const tracestate = parent === null ? undefined : joinedHeader(raw.headers.tracestate);
    let trace: RequestTrace;
    if (this.#recorder) {
      const span = this.#recorder.startServerSpan(parent, raw.method ?? 'HTTP');
      const context = span.spanContext();
      const flags = context.traceFlags.toString(16).padStart(2, '0');
      trace = { traceId: context.traceId, spanId: context.spanId, traceparent: formatTraceparent(context.traceId, context.spanId, flags), tracestate, span };
    } else {
      const traceId = parent?.traceId ?? newTraceId();
      const spanId = newSpanId();
      trace = { traceId, spanId, traceparent: formatTraceparent(traceId, spanId, parent?.flags ?? NOT_SAMPLED), tracestate, span: null };
    }
    (raw as TracedRequest)[kTrace] = trace;
    return trace.traceId;
  }

  /** Ends the request's span with its route and status; does nothing without a recorder. */
  end(request: FastifyRequest, reply: FastifyReply): void {
    const span = traceOf(request)?.span;
    if (!span) return;
    const route = request.routeUrl;
    span.updateName(route ? `${request.method} ${route}` : request.method);
    span.setAttribute('http.request.method', request.method);
    if (route) span.setAttribute('http.route', route);
    span.setAttribute('http.response.status_code', reply.statusCode);
    span.setAttribute('url.path', request.url.split('?', 1)[0]);
    span.setAttribute('http.request.id', request.id);
    if (request.user) span.setAttribute('enduser.id', request.user.sub);
    if (reply.statusCode >= 500) span.setStatus({ code: STATUS_ERROR });
    span.end();
  }

  async close(): Promise<void> {
    await this.#recorder?.shutdown();
  }
}

/** Returns the trace of a request, or undefined for one that bypassed routing (such as a malformed URL). */
export function traceOf(request: FastifyRequest): RequestTrace | undefined {
  return (request.raw as TracedRequest)[kTrace];
}

/** Ends each request's span when its response has been sent. */
export function registerTracing(app: FastifyInstance, tracing: GatewayTracing, recording: boolean): void {
  if (!recording) return;
  app.addHook('onResponse', function endSpan(request, reply, done) {
    tracing.end(request, reply);
    done();
  });
}

function joinedHeader(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}
