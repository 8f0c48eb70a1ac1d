/**
 * http-proxy-middleware 3 on Express 5, forwarding over a keep-alive agent:
 * maps `/api/chat/*` to the upstream's `/mad-scientist/*`, like the gateway route.
 */
import express from 'express';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { closeOnSignal, reportReady, requireEnv } from './lifecycle.ts';

const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });
const app = express();
app.disable('x-powered-by');
app.use(
  '/api/chat',
  createProxyMiddleware({
    target: `${requireEnv('BENCH_UPSTREAM_URL')}/mad-scientist`,
    agent,
  }),
);

const server = app.listen(0, '127.0.0.1', () => {
  reportReady((server.address() as AddressInfo).port);
});
server.keepAliveTimeout = 120_000;
closeOnSignal(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
      agent.destroy();
    }),
);
