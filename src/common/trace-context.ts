/**
 * W3C Trace Context: the `traceparent` header (https://www.w3.org/TR/trace-context/,
 * section 3.2) and random trace and span ids. The gateway starts or continues
 * a trace for each request and passes it on. Every service writes the trace
 * id on its log lines as `trace_id`.
 */
import { randomFillSync } from 'node:crypto';

export interface TraceContext {
  /** 32 lower-case hex digits, not all zero. */
  traceId: string;
  /** The caller's span id: 16 lower-case hex digits, not all zero. */
  parentId: string;
  /** Two hex digits; bit 0 is the sampled flag. */
  flags: string;
}

/**
 * Version 00 is exactly `00-<trace-id>-<parent-id>-<flags>`. A later version
 * may append fields after another `-`, and a parser of version 00 reads the
 * first four fields of it. Version ff is invalid.
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** Parses a traceparent header; returns null when it is missing, repeated or invalid. */
export function parseTraceparent(header: string | string[] | undefined): TraceContext | null {
  if (typeof header !== 'string' || header.length < 55 || header.length > 512) return null;
  const match = TRACEPARENT.exec(header);
  if (match === null) return null;
  const [, version, traceId, parentId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE_ID || parentId === ZERO_SPAN_ID) return null;
  return { traceId, parentId, flags };
}

/** Returns the trace id of a valid traceparent header, for log lines. */
export function traceIdFromHeader(header: string | string[] | undefined): string | undefined {
  return parseTraceparent(header)?.traceId;
}

export function formatTraceparent(traceId: string, spanId: string, flags: string): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

// Random bytes come from a pool refilled 4 KiB at a time, so an id costs no system call.
const pool = Buffer.allocUnsafe(4096);
let poolOffset = pool.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

/** Returns a random 16-byte trace id in hex. */
export function newTraceId(): string {
  let id = randomHex(16);
  while (id === ZERO_TRACE_ID) id = randomHex(16);
  return id;
}

/** Returns a random 8-byte span id in hex. */
export function newSpanId(): string {
  let id = randomHex(8);
  while (id === ZERO_SPAN_ID) id = randomHex(8);
  return id;
}
