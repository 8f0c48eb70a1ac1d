import type { FastifyInstance } from 'fastify';
import { JWKS_PATH } from '../common/jwt.ts';
import { withMeta } from '../common/http.ts';
import type { SigningKeyRing } from './signing-keys.ts';

/**
 * Verifiers fetch the key set again on an unknown `kid` anyway, so a short
 * shared-cache lifetime only spares the service repeated reads.
 */
const CACHE_CONTROL = 'public, max-age=60';

/**
 * Registers GET /.well-known/jwks.json: the public keys that verify access
 * tokens in `eddsa` mode. In `hs256` mode the set is empty, because the
 * shared secret is never published.
 */
export function registerJwksRoute(app: FastifyInstance, keyRing: SigningKeyRing | undefined): void {
  app.get(JWKS_PATH, async function jwks(request, reply) {
    reply.header('cache-control', CACHE_CONTROL);
    return withMeta(request, keyRing ? keyRing.jwks() : { keys: [] });
  });
}
