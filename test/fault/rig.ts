/**
 * A gateway in front of two fault backends, one for each upstream, for the
 * fault-injection tests. Everything listens on free loopback ports.
 */
import type { Env } from '../../src/common/config.ts';
import type { GatewayOptions } from '../../src/gateway/server.ts';
import { signToken, startTestGateway, type TestGateway } from '../../src/gateway/test-support.ts';
import { FaultBackend } from './fault-backend.ts';

export interface FaultRig {
  auth: FaultBackend;
  chat: FaultBackend;
  gateway: TestGateway;
  url: string;
  token: string;
  close(): Promise<void>;
}

/** Starts the backends (forwarding to `targets` when given) and a gateway in front of them with `env` and `options`. */
export async function startRig(env: Env = {}, targets: { auth?: string; chat?: string } = {}, options: Omit<GatewayOptions, 'logger'> = {}): Promise<FaultRig> {
  const auth = await FaultBackend.start(targets.auth ?? null);
  const chat = await FaultBackend.start(targets.chat ?? null);
  // A short grace period, so closing a gateway with a hung request in flight does not hold the test.
  const gateway = await startTestGateway({ auth: auth.url, chat: chat.url }, { SHUTDOWN_GRACE_MS: '300', ...env }, options);
  const token = await signToken();
  return {
    auth,
    chat,
    gateway,
    url: gateway.url,
    token,
    async close() {
      await gateway.close();
      await auth.close();
      await chat.close();
    },
  };
}

export interface TimedResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or null when it is not JSON. */
  body: any;
  elapsedMs: number;
}

/** Fetches `url` and reads the whole body, timing the round trip; aborts after 15 s so no test hangs. */
export async function timedFetch(url: string, init: RequestInit = {}): Promise<TimedResponse> {
  const started = performance.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000), ...init });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: tests that care read `text`.
  }
  return { status: response.status, headers: response.headers, text, body, elapsedMs: performance.now() - started };
}

/** Returns the Authorization header for the rig's token. */
export function bearer(rig: FaultRig, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${rig.token}`, ...extra };
}

/** Returns the gateway's access-log lines, newest last. */
export function accessLines(rig: FaultRig): Record<string, any>[] {
  return rig.gateway.logs.lines.filter((line) => line.msg === 'request completed');
}

/** Returns the gateway's /health body. */
export async function health(rig: FaultRig): Promise<any> {
  return (await timedFetch(`${rig.url}/health`)).body;
}

/** Waits up to `timeoutMs` for `check` to resolve true, polling every 20 ms. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
