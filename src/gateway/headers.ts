import type { IncomingHttpHeaders } from 'node:http';
import type { AccessTokenClaims } from '../common/jwt.ts';
import type { ClientInfo } from './edge/client-address.ts';

/**
 * Hop-by-hop headers (RFC 9110, section 7.6.1) describe one connection and are
 * never passed on. `proxy-connection` is the non-standard form some clients
 * still send.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Request headers the gateway sets itself, so a client copy is dropped:
 * identity and request id, and the Host of the upstream (undici sets it).
 * Expect is dropped because Node has already sent `100 Continue` to the
 * client, and undici rejects the header.
 */
const REPLACED_REQUEST_HEADERS = new Set(['host', 'expect', 'x-user-id', 'x-username', 'x-request-id', 'traceparent', 'tracestate']);
const FORWARDED_HEADERS = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

/** Lower-case names listed in a Connection header, which are hop-by-hop for this message too. */
function connectionOptions(value: string | string[] | undefined): string[] | null {
  if (value === undefined) return null;
  // The usual values name no header beyond the fixed list, so they skip the split.
  if (typeof value === 'string' && /^(?:keep-alive|close)$/i.test(value)) return null;
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined.toLowerCase().split(',').map((token) => token.trim());
}

function isHopByHop(name: string, listed: string[] | null): boolean {
  return HOP_BY_HOP.has(name) || (listed !== null && listed.includes(name));
}

function pushHeader(target: string[], name: string, value: string | string[] | undefined): void {
  if (value === undefined) return;
  if (typeof value === 'string') {
    target.push(name, value);
    return;
  }
  for (const item of value) target.push(name, item);
}

export interface ForwardingContext {
  requestId: string;
  /** Address of the client's socket. */
  remoteAddress: string | undefined;
  protocol: 'http' | 'https';
  /** Verified token claims, or undefined on routes without a token check. */
  user: AccessTokenClaims | undefined;
  /** Keep and extend the client's X-Forwarded-* instead of replacing them; unused when `client` is set. */
  trustForwarded: boolean;
  /** The client as the edge resolved it through the trusted proxies; it decides the X-Forwarded-* values. */
  client?: ClientInfo;
  /** W3C trace context for the upstream: the request's trace with the gateway's span as parent. */
  traceparent?: string;
  tracestate?: string;
}

/**
 * Builds the request headers for an upstream as a flat `[name, value, ...]`
 * list: the client's headers without hop-by-hop and gateway-owned ones, then
 * X-Request-Id, X-Forwarded-For/-Proto/-Host and the verified identity.
 */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders, context: ForwardingContext): string[] {
  const listed = connectionOptions(headers.connection);
  const result: string[] = [];
  for (const name in headers) {
    if (isHopByHop(name, listed) || REPLACED_REQUEST_HEADERS.has(name) || FORWARDED_HEADERS.has(name)) continue;
    pushHeader(result, name, headers[name]);
  }
  appendGatewayHeaders(result, headers, context);
  return result;
}

/** Appends X-Request-Id, X-Forwarded-For/-Proto/-Host and the verified identity to a flat header list. */
export function appendGatewayHeaders(result: string[], headers: IncomingHttpHeaders, context: ForwardingContext): void {
  result.push('x-request-id', context.requestId);
  if (context.traceparent !== undefined) result.push('traceparent', context.traceparent);
  if (context.tracestate !== undefined) result.push('tracestate', context.tracestate);
  if (context.client) {
    // Exactly one X-Forwarded-For, whose last entry is the peer the gateway itself saw.
    result.push('x-forwarded-for', context.client.forwardedFor, 'x-forwarded-proto', context.client.proto);
    if (context.client.host) result.push('x-forwarded-host', context.client.host);
  } else {
    appendLegacyForwarded(result, headers, context);
  }

  if (context.user) {
    result.push('x-user-id', context.user.sub);
    // Percent-encoded so any username fits a header; the auth service's username characters pass unchanged.
    result.push('x-username', encodeURIComponent(context.user.username));
  }
}

/** Appends X-Forwarded-* from the socket, or extends the client's copies when `trustForwarded` is set. */
function appendLegacyForwarded(result: string[], headers: IncomingHttpHeaders, context: ForwardingContext): void {
  const peer = context.remoteAddress ?? 'unknown';
  const clientChain = context.trustForwarded ? headers['x-forwarded-for'] : undefined;
  result.push('x-forwarded-for', clientChain ? `${clientChain}, ${peer}` : peer);
  const clientProto = context.trustForwarded ? headers['x-forwarded-proto'] : undefined;
  result.push('x-forwarded-proto', typeof clientProto === 'string' ? clientProto : context.protocol);
  const clientHost = context.trustForwarded ? headers['x-forwarded-host'] : undefined;
  const host = typeof clientHost === 'string' ? clientHost : headers.host;
  if (host) result.push('x-forwarded-host', host);
}

/**
 * Builds the response headers for the client as a flat list for
 * `ServerResponse.writeHead`: the upstream's headers without hop-by-hop ones,
 * the gateway's request id, and the edge headers the upstream did not set.
 * Repeated headers such as Set-Cookie stay separate entries.
 */
export function clientResponseHeaders(headers: IncomingHttpHeaders, requestId: string, edgeHeaders: readonly string[] = []): string[] {
  const listed = connectionOptions(headers.connection);
  const result: string[] = [];
  for (const name in headers) {
    if (isHopByHop(name, listed) || name === 'x-request-id') continue;
    pushHeader(result, name, headers[name]);
  }
  result.push('x-request-id', requestId);
  // The gateway's security and CORS headers, unless the service sent its own of the same name.
  for (let index = 0; index < edgeHeaders.length; index += 2) {
    if (headers[edgeHeaders[index]] === undefined) result.push(edgeHeaders[index], edgeHeaders[index + 1]);
  }
  return result;
}
