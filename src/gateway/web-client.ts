import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendNoRoute } from '../common/http.ts';
import type { Logger } from '../common/logger.ts';

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

/** The folder in which Vite writes the files whose names carry a hash of their content. */
const ASSETS_FOLDER = 'assets';
/** One year in milliseconds, the unit @fastify/send takes and the maximum it sends. */
const HASHED_ASSET_MAX_AGE_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * Serves the hashed assets as `public, max-age=31536000, immutable`: a new
 * build writes new names, so a cached copy never needs revalidation. The
 * other files, index.html included, keep @fastify/static's
 * `public, max-age=0`, so browsers revalidate them on each use.
 */
async function registerHashedAssets(app: FastifyInstance, assetsRoot: string): Promise<void> {
  if (!existsSync(assetsRoot)) return;
  await app.register(fastifyStatic, {
    root: assetsRoot,
    prefix: `/${ASSETS_FOLDER}/`,
    wildcard: false,
    maxAge: HASHED_ASSET_MAX_AGE_MS,
    immutable: true,
    // The registration for the whole web root already adds reply.sendFile.
    decorateReply: false,
  });
}

/**
 * Serves the built web client from `webRoot` at `/` when its index.html
 * exists. A GET outside /api that accepts text/html and matches no file gets
 * index.html, so the client's own routes survive a reload. Anything else
 * unmatched gets the usual 404, or 405 where the path has routes for other
 * methods, in the common format.
 */
export async function registerWebClient(app: FastifyInstance, webRoot: string, logger: Logger): Promise<boolean> {
  if (!existsSync(join(webRoot, 'index.html'))) {
    logger.info({ webRoot }, 'web client not found; / is not served');
    return false;
  }
  // wildcard: false makes one route per file found at start-up, so the fallback route below gets only unmatched paths.
  await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false, globIgnore: [`${ASSETS_FOLDER}/**`] });
  await registerHashedAssets(app, join(webRoot, ASSETS_FOLDER));

  app.get('/*', function webClientFallback(request: FastifyRequest, reply: FastifyReply) {
    const path = request.url.split('?', 1)[0];
    if (path === '/api' || path.startsWith('/api/') || !wantsHtml(request)) return sendNoRoute(request, reply);
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
  return true;
}
