/**
 * Helpers for the auth tests: a real service on a free loopback port with
 * fresh storage, a clock the test can move, and a small JSON client.
 */
import type { Env } from '../common/config.ts';
import { createTestStorage, TestClock, type TestStorage } from '../common/test-support.ts';
import { startAuthService, type RunningService } from './server.ts';


export interface TestAuthService {
  service: RunningService;
  storage: TestStorage;
  env: Env;
  clock: TestClock;
  client: JsonClient;
  /** Starts the service again on the same storage, as after a process restart. */
  restart(): Promise<void>;
  /** Stops the service and deletes its storage. */
  stop(): Promise<void>;
}

export async function startTestAuthService(label: string, extraEnv: Env = {}): Promise<TestAuthService> {
  const storage = createTestStorage(label);
  const env: Env = { ...storage.env, PORT: '0', HOST: '127.0.0.1', ...extraEnv };
  const clock = new TestClock();
  let service: RunningService;
  try {
    service = await startAuthService(env, { clock: clock.now });
  } catch (error) {
    await storage.cleanup();
    throw error;
  }
  const handle: TestAuthService = {
    service,
    storage,
    env,
    clock,
    client: new JsonClient(service.url),
    async restart() {
      await handle.service.close();
      handle.service = await startAuthService(env, { clock: clock.now });
      handle.client = new JsonClient(handle.service.url);
    },
    async stop() {
      await handle.service.close();
      await storage.cleanup();
    },
  };
  return handle;
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sends JSON requests to one base URL over real HTTP. */
export class JsonClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  async request<T = any>(method: string, path: string, options: { body?: unknown; token?: string; rawBody?: string } = {}): Promise<JsonResponse<T>> {
    const headers: Record<string, string> = {};
    let payload: string | undefined;
    if (options.rawBody !== undefined) payload = options.rawBody;
    else if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;

    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  post<T = any>(path: string, body?: unknown, token?: string): Promise<JsonResponse<T>> {
    return this.request<T>('POST', path, { body, token });
  }

  get<T = any>(path: string, token?: string): Promise<JsonResponse<T>> {
    return this.request<T>('GET', path, { token });
  }
}

let counter = 0;

/** Creates a registration body whose username and email no other test in this process uses. */
export function newAccount(prefix = 'user'): { username: string; email: string; password: string } {
  counter += 1;
  const suffix = `${process.pid}_${counter}`;
  return { username: `${prefix}_${suffix}`.slice(0, 32), email: `${prefix}.${suffix}@example.com`, password: `pass-${suffix}-secret` };
}
