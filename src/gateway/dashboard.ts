import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CODES, type ErrorCode } from '../common/errors.ts';
import { sendError } from '../common/http.ts';
import { readBody } from './body-reader.ts';
import { appendGatewayHeaders } from './headers.ts';
import type { UpstreamHandler } from './pipeline.ts';
import { forwardingContext } from './proxy.ts';
import { UpstreamCall } from './upstream-call.ts';
import { UpstreamFailure, toAppError } from './upstream-errors.ts';
import type { Upstream, UpstreamName } from './upstream.ts';

/** Largest part body the dashboard reads; a page of 10 messages of up to 4000 characters each fits. */
const PART_BODY_LIMIT_BYTES = 256 * 1024;

interface PartSpec<T> {
  name: 'profile' | 'history' | 'avatar';
  upstream: UpstreamName;
  path: string;
  /** Takes the part's value out of a 200 body, or returns undefined when the body has the wrong shape. */
  pick(body: Record<string, unknown>): T | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const PROFILE: PartSpec<Record<string, unknown>> = {
  name: 'profile',
  upstream: 'auth',
  path: '/auth/profile',
  pick: (body) => (isObject(body.user) ? body.user : undefined),
};

const HISTORY: PartSpec<{ messages: unknown[]; next_cursor: unknown }> = {
  name: 'history',
  upstream: 'chat',
  path: '/mad-scientist/history?limit=10',
  pick: (body) => (Array.isArray(body.messages) ? { messages: body.messages, next_cursor: body.next_cursor ?? null } : undefined),
};

const AVATAR: PartSpec<Record<string, unknown>> = {
  name: 'avatar',
  upstream: 'chat',
  path: '/mad-scientist/avatar',
  pick: (body) => (isObject(body.avatar) ? body.avatar : undefined),
};

/** The outcome of one part: its value, or why it is missing. */
type PartResult<T> = { value: T } | { value: null; failure: UpstreamFailure | null; status: number; unauthorizedCode?: ErrorCode };

export interface DashboardOptions {
  upstreams: Record<UpstreamName, Upstream>;
  pipeline: UpstreamHandler;
  partTimeoutMs: number;
  trustForwarded: boolean;
}

function partHeaders(request: FastifyRequest, trustForwarded: boolean): string[] {
  const headers = ['accept', 'application/json'];
  if (request.headers.authorization) headers.push('authorization', request.headers.authorization);
  appendGatewayHeaders(headers, request.headers, forwardingContext(request, trustForwarded));
  return headers;
}

/** Returns the 401 code an upstream sent when it is one of the registry's 401 codes, else UNAUTHORIZED. */
function unauthorizedCode(body: Buffer): ErrorCode {
  try {
    const code = JSON.parse(body.toString('utf8'))?.error?.code;
    if (typeof code === 'string' && code in ERROR_CODES && ERROR_CODES[code as ErrorCode].status === 401) return code as ErrorCode;
  } catch {
    // Not JSON: fall back to the generic code.
  }
  return 'UNAUTHORIZED';
}

async function fetchPart<T>(spec: PartSpec<T>, request: FastifyRequest, headers: string[], options: DashboardOptions, calls: UpstreamCall[]): Promise<PartResult<T>> {
  const call = new UpstreamCall({
    upstream: options.upstreams[spec.upstream],
    method: 'GET',
    path: spec.path,
    headers,
    body: null,
    requestId: request.id,
    log: request.log,
    timeoutMs: options.partTimeoutMs,
  });
  calls.push(call);
  const started = performance.now();
  try {
    await options.pipeline(call);
    const remainingMs = options.partTimeoutMs - (performance.now() - started);
    const body = await readBody(call, { limitBytes: PART_BODY_LIMIT_BYTES, timeoutMs: remainingMs });
    if (call.statusCode === 401) return { value: null, failure: null, status: 401, unauthorizedCode: unauthorizedCode(body) };
    if (call.statusCode !== 200) return { value: null, failure: null, status: call.statusCode };
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const value = isObject(parsed) ? spec.pick(parsed) : undefined;
    if (value === undefined) throw new UpstreamFailure('bad-response', `${spec.upstream} sent a body without the ${spec.name} fields`);
    return { value };
  } catch (error) {
    const failure = error instanceof UpstreamFailure ? error : new UpstreamFailure('bad-response', `${spec.upstream} sent invalid JSON`, { cause: error });
    return { value: null, failure, status: call.statusCode };
  }
}

function logMissingPart(request: FastifyRequest, part: string, upstream: string, result: PartResult<unknown>): void {
  if (!('failure' in result)) return;
  const { failure, status } = result;
  if (failure?.kind === 'circuit-open') return;
  const fields = { part, upstream, upstreamStatus: status || undefined, kind: failure?.kind, err: failure?.cause ?? failure ?? undefined };
  if (failure || status >= 500) request.log.warn(fields, 'dashboard part unavailable');
  else request.log.info(fields, 'dashboard part unavailable');
}

/**
 * Builds the GET /api/dashboard handler, a fan-out of three upstream calls:
 * profile, the last 10 messages and the avatar. Each goes through the
 * upstream stages with its own deadline, and they run concurrently, so the
 * response takes about as long as the slowest part. A missing part is null
 * with its `*_available` flag false. Only when all three fail is the
 * response a 503.
 */
export function createDashboardHandler(options: DashboardOptions) {
  return async function dashboard(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const headers = partHeaders(request, options.trustForwarded);
    const calls: UpstreamCall[] = [];
    request.upstreamCalls = calls;
    const [profile, history, avatar] = await Promise.all([
      fetchPart(PROFILE, request, headers, options, calls),
      fetchPart(HISTORY, request, headers, options, calls),
      fetchPart(AVATAR, request, headers, options, calls),
    ]);
    logMissingPart(request, 'profile', 'auth', profile);
    logMissingPart(request, 'history', 'chat', history);
    logMissingPart(request, 'avatar', 'chat', avatar);

    // The gateway checked the token, but a service may know more, such as a logout made past the gateway.
    for (const part of [profile, history, avatar]) {
      if ('unauthorizedCode' in part && part.unauthorizedCode) return sendError(new AppError(part.unauthorizedCode), request, reply);
    }
    if (profile.value === null && history.value === null && avatar.value === null) {
      const failures = [profile, history, avatar].map((part) => ('failure' in part ? part.failure : null));
      const allOpen = failures.every((failure) => failure?.kind === 'circuit-open');
      const error = allOpen ? toAppError(failures[0]!) : new AppError('UPSTREAM_UNAVAILABLE', 'No part of the dashboard is available.');
      return sendError(error, request, reply);
    }
    return {
      profile: profile.value,
      chat_history: history.value,
      avatar: avatar.value,
      meta: {
        request_id: request.id,
        profile_available: profile.value !== null,
        history_available: history.value !== null,
        avatar_available: avatar.value !== null,
      },
    };
  };
}
