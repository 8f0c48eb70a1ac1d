import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../common/errors.ts';

/**
 * The refresh token cookie of browser clients, with a double-submit CSRF
 * token. The refresh cookie is HttpOnly, so page scripts cannot read it, and
 * SameSite=Strict with a path that covers only the auth routes. The CSRF
 * cookie is readable by the page, which copies it into X-CSRF-Token on every
 * request that the refresh cookie authenticates; another site can neither
 * read the cookie nor set that header. The CSRF token is also signed with
 * SECRET_KEY_BASE over the refresh token it was issued with (a signed double
 * submit), so a cookie planted by a sibling subdomain does not pass.
 */

export const REFRESH_COOKIE = 'ms_refresh';
export const CSRF_COOKIE = 'ms_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** The request header a browser client sends to get the refresh token as a cookie instead of in the body. */
export const DELIVERY_HEADER = 'x-token-delivery';

export interface CookieSettings {
  /** Sets the Secure attribute; off only for http://localhost development. */
  secure: boolean;
  /** The path of the refresh cookie: the public prefix of the auth routes. */
  refreshPath: string;
  /** HMAC key of the CSRF token, from SECRET_KEY_BASE. */
  csrfKey: Uint8Array;
}

function csrfSignature(key: Uint8Array, nonce: string, refreshToken: string): string {
  return createHmac('sha256', key).update(`${nonce}.${refreshToken}`).digest('base64url');
}

/** Creates a CSRF token bound to `refreshToken`: a random nonce and its HMAC. */
export function createCsrfToken(key: Uint8Array, refreshToken: string): string {
  const nonce = randomBytes(18).toString('base64url');
  return `${nonce}.${csrfSignature(key, nonce, refreshToken)}`;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** True when the client asked for cookie delivery with `X-Token-Delivery: cookie`. */
export function wantsCookieDelivery(request: FastifyRequest): boolean {
  const value = request.headers[DELIVERY_HEADER];
  return typeof value === 'string' && value.trim().toLowerCase() === 'cookie';
}

/** Returns the refresh token from the cookie, or undefined when the request carries none. */
export function refreshTokenCookie(request: FastifyRequest): string | undefined {
  const value = request.cookies[REFRESH_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Checks the double-submit token of a request authenticated by the refresh
 * cookie: X-CSRF-Token must equal the CSRF cookie, and its signature must
 * match the refresh cookie. Throws FORBIDDEN otherwise.
 */
export function checkCsrf(request: FastifyRequest, settings: CookieSettings): void {
  const cookie = request.cookies[CSRF_COOKIE];
  const header = request.headers[CSRF_HEADER];
  if (!cookie || typeof header !== 'string' || header === '') {
    throw new AppError('FORBIDDEN', 'A request that uses the refresh cookie needs the X-CSRF-Token header with the value of the ms_csrf cookie.');
  }
  if (!sameText(cookie, header)) {
    throw new AppError('FORBIDDEN', 'The X-CSRF-Token header does not match the ms_csrf cookie.');
  }
  const [nonce, signature, extra] = header.split('.');
  const refreshToken = request.cookies[REFRESH_COOKIE] ?? '';
  if (!nonce || !signature || extra !== undefined || !sameText(signature, csrfSignature(settings.csrfKey, nonce, refreshToken))) {
    throw new AppError('FORBIDDEN', 'The X-CSRF-Token does not belong to this session; log in again.');
  }
}

/** Sets the refresh cookie and a new CSRF cookie, both for the refresh token's lifetime. */
export function setSessionCookies(reply: FastifyReply, settings: CookieSettings, refreshToken: string, maxAgeSeconds: number): void {
  reply.setCookie(REFRESH_COOKIE, refreshToken, {
    httpOnly: true,
    secure: settings.secure,
    sameSite: 'strict',
    path: settings.refreshPath,
    maxAge: maxAgeSeconds,
  });
  // Readable by the page on every path, so the client can copy it into X-CSRF-Token.
  reply.setCookie(CSRF_COOKIE, createCsrfToken(settings.csrfKey, refreshToken), {
    httpOnly: false,
    secure: settings.secure,
    sameSite: 'strict',
    path: '/',
    maxAge: maxAgeSeconds,
  });
}

/** Expires both cookies in the browser. */
export function clearSessionCookies(reply: FastifyReply, settings: CookieSettings): void {
  reply.clearCookie(REFRESH_COOKIE, { httpOnly: true, secure: settings.secure, sameSite: 'strict', path: settings.refreshPath });
  reply.clearCookie(CSRF_COOKIE, { httpOnly: false, secure: settings.secure, sameSite: 'strict', path: '/' });
}
