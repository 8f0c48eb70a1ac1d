import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../../common/errors.ts';
import { withMeta } from '../../common/http.ts';
import { assertAvatarStyle, AVATAR_STYLES, DEFAULT_AVATAR_STYLE, generateAvatar } from '../avatars/generator.ts';
import type { AvatarRecord, ChatStore } from '../store.ts';
import { validationError } from './validation.ts';

export const AVATAR_CONTENT_TYPE = 'image/svg+xml';
/** Seed of the avatar created on a user's first GET /mad-scientist/avatar. */
export const DEFAULT_AVATAR_SEED = 'default';
const MAX_SEED_LENGTH = 64;
const IMAGE_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.svg$/;

/** Headers of the image: an avatar id never changes its bytes, and the SVG may not load or run anything. */
const IMAGE_HEADERS = {
  'content-type': AVATAR_CONTENT_TYPE,
  'cache-control': 'public, max-age=31536000, immutable',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
};

interface AvatarDeps {
  store: ChatStore;
  authenticate: preHandlerAsyncHookHandler;
  urlPrefix: string;
}

interface AvatarBody {
  style?: string;
  seed?: string;
}

const bodySchema = {
  type: ['object', 'null'],
  properties: {
    style: { type: 'string' },
    seed: { type: 'string' },
  },
} as const;

function avatarJson(avatar: AvatarRecord, urlPrefix: string) {
  return { ...avatar, url: `${urlPrefix}/${avatar.id}.svg`, content_type: AVATAR_CONTENT_TYPE };
}

function readSeed(seed: string | undefined): string {
  if (seed === undefined) return randomBytes(8).toString('hex');
  if (seed.length === 0 || seed.length > MAX_SEED_LENGTH || /[\u0000-\u001f\u007f]/.test(seed)) {
    throw validationError('seed', `must be 1 to ${MAX_SEED_LENGTH} characters without control characters`);
  }
  return seed;
}

export function registerAvatarRoutes(app: FastifyInstance, deps: AvatarDeps): void {
  app.get('/mad-scientist/avatar', { preHandler: deps.authenticate }, async function getAvatar(request: FastifyRequest) {
    const userId = request.user!.sub;
    let avatar = await deps.store.currentAvatar(userId);
    if (!avatar) {
      const svg = generateAvatar({ userId, style: DEFAULT_AVATAR_STYLE, seed: DEFAULT_AVATAR_SEED });
      const saved = await deps.store.saveCurrentAvatar(
        userId,
        { style: DEFAULT_AVATAR_STYLE, seed: DEFAULT_AVATAR_SEED, svg },
        { onlyIfNone: true },
      );
      avatar = saved.avatar;
    }
    return withMeta(request, { avatar: avatarJson(avatar, deps.urlPrefix) });
  });

  app.post<{ Body: AvatarBody | null }>(
    '/mad-scientist/avatar',
    { preHandler: deps.authenticate, schema: { body: bodySchema } },
    async function createAvatar(request, reply) {
      const userId = request.user!.sub;
      const body = request.body ?? {};
      const style = body.style ?? (await deps.store.currentAvatar(userId))?.style ?? DEFAULT_AVATAR_STYLE;
      assertAvatarStyle(style);
      const seed = readSeed(body.seed);
      const svg = generateAvatar({ userId, style, seed });
      const { avatar } = await deps.store.saveCurrentAvatar(userId, { style, seed, svg });
      return reply.code(201).send(withMeta(request, { avatar: avatarJson(avatar, deps.urlPrefix) }));
    },
  );

  app.get<{ Params: { file: string } }>('/mad-scientist/avatars/:file', async function getAvatarImage(request, reply) {
    const match = IMAGE_FILE.exec(request.params.file);
    const svg = match ? await deps.store.avatarImage(match[1]) : undefined;
    if (svg === undefined) throw new AppError('NOT_FOUND', 'The avatar was not found.');

    const etag = `"${createHash('sha256').update(svg).digest('base64url').slice(0, 27)}"`;
    reply.headers({ ...IMAGE_HEADERS, etag });
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.send(svg);
  });
}

export { AVATAR_STYLES };
