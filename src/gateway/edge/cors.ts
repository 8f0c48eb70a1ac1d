import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConfigError } from '../../common/config.ts';
import { AppError } from '../../common/errors.ts';
import { sendError } from '../../common/http.ts';

/** Methods a cross-origin page may use on the public API. */
const ALLOWED_METHODS = ['GET', 'HEAD', 'POST'];
/** Request headers a cross-origin page may send: the API's own and the ones the web client sets. */
const ALLOWED_HEADERS = ['accept', 'authorization', 'content-type', 'last-event-id', 'x-csrf-token', 'x-request-id', 'x-token-delivery'];
/** Response headers a cross-origin page may read. */
const EXPOSED_HEADERS = 'x-request-id, retry-after';

/** Removes the Access-Control-* entries from a flat header list, for a refused preflight. */
function withoutCorsGrants(headers: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < headers.length; index += 2) {
    if (!headers[index].startsWith('access-control-')) kept.push(headers[index], headers[index + 1]);
  }
  return kept;
}

/** Parses CORS_ORIGINS: a comma-separated list of origins such as https://app.example.com; `*` is refused. */
export function parseOrigins(raw: string | undefined, variable: string): string[] {
  const origins: string[] = [];
  for (const item of (raw ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '')) {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      throw new ConfigError(variable, `invalid value "${item}": expected an origin such as https://app.example.com`);
    }
    const isOrigin =
      (url.protocol === 'http:' || url.protocol === 'https:') && !item.includes('*') && url.origin === item.replace(/\/$/, '').toLowerCase();
    if (!isOrigin) throw new ConfigError(variable, `invalid value "${item}": expected an origin such as https://app.example.com, without path or wildcard`);
    origins.push(url.origin);
  }
  return origins;
}

/**
 * Cross-origin resource sharing with an allowlist. A listed origin gets
 * Access-Control-Allow-Origin with credentials on every response, errors
 * included. Preflight requests are answered here without a token and never
 * reach a service: 204 for a listed origin asking for allowed methods and
 * headers, 403 otherwise. Requests from other origins are not rejected,
 * because the browser sends Origin on same-origin POSTs too; without the
 * header the browser keeps a cross-origin page from reading the response.
 */
export class CorsPolicy {
  readonly #origins: Set<string>;
  readonly #maxAge: string;
  readonly #withVary = new WeakMap<readonly string[], readonly string[]>();

  constructor(origins: string[], maxAgeSeconds: number) {
    this.#origins = new Set(origins);
    this.#maxAge = String(maxAgeSeconds);
  }

  /**
   * Returns `base` followed by the CORS response headers of this request:
   * `Vary: Origin` always, and the grants when its origin is allowed. A
   * request without an allowed origin gets the same array each time, built
   * once per `base`.
   */
  headersFor(request: FastifyRequest, base: readonly string[]): readonly string[] {
    const origin = request.headers.origin;
    if (origin === undefined || !this.#origins.has(origin)) {
      let withVary = this.#withVary.get(base);
      if (withVary === undefined) {
        withVary = [...base, 'vary', 'Origin'];
        this.#withVary.set(base, withVary);
      }
      return withVary;
    }
    return [...base, 'vary', 'Origin', 'access-control-allow-origin', origin, 'access-control-allow-credentials', 'true', 'access-control-expose-headers', EXPOSED_HEADERS];
  }

  /** Sends the response to a preflight request and returns true, or returns false for any other request. */
  answerPreflight(request: FastifyRequest, reply: FastifyReply): boolean {
    const method = request.headers['access-control-request-method'];
    if (request.method !== 'OPTIONS' || request.headers.origin === undefined || method === undefined) return false;
    const origin = request.headers.origin;
    const requested = (request.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== '');
    const refusedHeader = requested.find((name) => !ALLOWED_HEADERS.includes(name));

    let reason: string | undefined;
    if (!this.#origins.has(origin)) reason = `the origin ${origin} is not allowed`;
    else if (!ALLOWED_METHODS.includes(method)) reason = `the method ${method} is not allowed`;
    else if (refusedHeader) reason = `the header ${refusedHeader} is not allowed`;
    if (reason) {
      request.log.info({ origin, method, reason }, 'CORS preflight rejected');
      request.edgeHeaders = withoutCorsGrants(request.edgeHeaders);
      sendError(new AppError('FORBIDDEN', `Cross-origin request rejected: ${reason}.`), request, reply);
      return true;
    }

    reply
      .code(204)
      .header('vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
      .header('access-control-allow-methods', ALLOWED_METHODS.join(', '))
      .header('access-control-allow-headers', ALLOWED_HEADERS.join(', '))
      .header('access-control-max-age', this.#maxAge)
      .send();
    return true;
  }
}
