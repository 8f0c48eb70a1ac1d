/**
 * The Content-Security-Policy of every gateway response. It fits the built
 * web client, which loads only its own script, style sheet and images and
 * calls only its own origin. Responses that are not HTML ignore everything but
 * `frame-ancestors` and `sandbox`. A service can send a stricter policy of its
 * own, such as the chat service's avatar images, and that one is kept.
 */
export const DEFAULT_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface SecurityHeaderSettings {
  contentSecurityPolicy: string;
  /** Strict-Transport-Security max-age for requests that arrived over HTTPS; 0 sends no header. */
  hstsMaxAgeSeconds: number;
}

/**
 * Builds the security headers of a response as a flat `[name, value, ...]`
 * list, once per scheme, so a request only picks one of two lists.
 */
export function createSecurityHeaders(settings: SecurityHeaderSettings): (https: boolean) => readonly string[] {
  const common = [
    'content-security-policy', settings.contentSecurityPolicy,
    'x-content-type-options', 'nosniff',
    'x-frame-options', 'DENY',
    'referrer-policy', 'no-referrer',
    'cross-origin-opener-policy', 'same-origin',
    'cross-origin-resource-policy', 'same-origin',
  ];
  // RFC 6797, section 7.2: HSTS sent over plain HTTP is ignored, so it goes only on HTTPS requests.
  const overHttps = settings.hstsMaxAgeSeconds > 0
    ? [...common, 'strict-transport-security', `max-age=${settings.hstsMaxAgeSeconds}; includeSubDomains`]
    : common;
  return (https) => (https ? overHttps : common);
}
