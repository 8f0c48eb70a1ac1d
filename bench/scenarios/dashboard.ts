/**
 * Dashboard fan-out: the gateway's GET /api/dashboard calls three slowed fake
 * upstream routes concurrently, so its latency should stay close to the
 * slowest part's, not approach the sum of the three.
 */
import type { OpenLoopResult } from '../load/result.ts';
import { AVATAR_BODY, HISTORY_BODY, PROFILE_BODY } from '../servers/bodies.ts';
import { startUpstream } from '../systems.ts';
import { FETCH_TIMEOUT_MS, startScenarioGateway, type ScenarioContext } from './context.ts';

export const DASHBOARD_DELAYS_MS = { profile: 50, history: 80, avatar: 120 };
const RATE = 40;

export interface DashboardResult {
  delaysMs: typeof DASHBOARD_DELAYS_MS;
  rate: number;
  dashboard: OpenLoopResult;
  /** The slowest part (the avatar route) called directly, with the same client and rate. */
  slowestPart: OpenLoopResult;
  /** Dashboard p50 / slowest part p50, and the same for p99. */
  ratioP50: number;
  ratioP99: number;
  /** One dashboard response's availability flags, to show that all three parts succeeded. */
  sample: { status: number; meta: Record<string, unknown> };
}

export async function runDashboard(context: ScenarioContext): Promise<DashboardResult> {
  const { supervisor, clients, options, headers, log } = context;
  const auth = await startUpstream(supervisor, options.loadCore, { '/auth/profile': { delayMs: DASHBOARD_DELAYS_MS.profile, body: PROFILE_BODY } }, 'upstream-auth-slow');
  const chat = await startUpstream(
    supervisor,
    options.loadCore,
    {
      '/mad-scientist/history': { delayMs: DASHBOARD_DELAYS_MS.history, body: HISTORY_BODY },
      '/mad-scientist/avatar': { delayMs: DASHBOARD_DELAYS_MS.avatar, body: AVATAR_BODY },
    },
    'upstream-chat-slow',
  );
  const gateway = await startScenarioGateway(context, { name: 'gateway-dashboard', chatServiceUrl: chat.origin, authServiceUrl: auth.origin });
  try {
    const url = gateway.url.replace(/\/api\/chat\/history$/, '/api/dashboard');
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    const body = (await response.json()) as { meta?: Record<string, unknown> };
    const sample = { status: response.status, meta: body.meta ?? {} };

    const duration = Math.max(options.openDurationSeconds, 5);
    log(`dashboard: ${RATE} req/s for ${duration} s, parts slowed to ${Object.values(DASHBOARD_DELAYS_MS).join('/')} ms`);
    const settings = { headers, durationSeconds: duration, connections: 32, rate: RATE, warmupSeconds: 1 };
    const dashboard = await clients.openLoop({ ...settings, url });
    const slowestPart = await clients.openLoop({ ...settings, url: `${chat.origin}/mad-scientist/avatar` });
    return {
      delaysMs: DASHBOARD_DELAYS_MS,
      rate: RATE,
      dashboard,
      slowestPart,
      ratioP50: dashboard.p50Ms / slowestPart.p50Ms,
      ratioP99: dashboard.p99Ms / slowestPart.p99Ms,
      sample,
    };
  } finally {
    await Promise.all([gateway.server?.process.stop(), auth.process.stop(), chat.process.stop()]);
  }
}
