/**
 * Helpers for the chat service tests: a real service on a free port with
 * fresh storage, access tokens signed like the auth service signs them, and
 * small HTTP helpers.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Env } from '../common/config.ts';
import { createTestStorage, TEST_JWT_SECRET, type TestStorage } from '../common/test-support.ts';
import { startChatService, type ChatServiceOptions, type RunningService } from './server.ts';

export interface TestChat {
  service: RunningService;
  storage: TestStorage;
  url: string;
  close(): Promise<void>;
}

/** Starts the chat service on PORT=0 with fresh storage; `env` overrides the defaults. */
export async function startTestChat(label: string, env: Env = {}, options: ChatServiceOptions = {}): Promise<TestChat> {
  const storage = createTestStorage(label);
  let service: RunningService;
  try {
    service = await startChatService({ ...storage.env, PORT: '0', PERSONA_STREAM_DELAY_MS: '0', ...env }, options);
  } catch (error) {
    await storage.cleanup();
    throw error;
  }
  return {
    service,
    storage,
    url: service.url,
    async close() {
      await service.close();
      await storage.cleanup();
    },
  };
}

export interface TokenOptions {
  sub?: string;
  username?: string;
  secret?: string;
  issuer?: string;
  audience?: string;
  /** Lifetime in seconds; negative for an expired token. */
  expiresIn?: number;
}

/** Signs an HS256 access token with the claims the auth service issues. */
export async function signTestToken(options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = options.expiresIn ?? 900;
  return new SignJWT({ username: options.username ?? 'tester' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(options.issuer ?? 'mad-scientist-auth')
    .setAudience(options.audience ?? 'mad-scientist')
    .setSubject(options.sub ?? randomUUID())
    .setJti(randomUUID())
    .setIssuedAt(expiresIn < 0 ? now + expiresIn - 60 : now)
    .setExpirationTime(now + expiresIn)
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** Sends a request and parses the JSON response body. */
export async function callJson(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

export interface ServerSentEvent {
  event: string;
  data: any;
}

/** Parses a complete text/event-stream body into its events. */
export function parseEventStream(text: string): ServerSentEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      return { event, data: JSON.parse(data) };
    });
}
