import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, errors as joseErrors, type JWK, type JWTVerifyGetKey } from 'jose';
import type { Logger } from '../common/logger.ts';
import type { Clock } from './clock.ts';

/**
 * The Ed25519 signing keys of `eddsa` mode, one JSON file each in a keys
 * folder. The newest key whose activation time has passed signs. A key made
 * by a rotation is published at once but signs only after its activation
 * delay, so every verifier can fetch it before the first token names it.
 * A replaced key stays published for `retentionSeconds` (the access token
 * lifetime plus the clock tolerance), so no token it signed stops verifying.
 */

export interface SigningKey {
  kid: string;
  alg: 'EdDSA';
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds from which the key may sign. */
  activatesAt: number;
  file: string;
}

interface KeyFile {
  kid: string;
  alg: 'EdDSA';
  created_at: string;
  activates_at: string;
  private_jwk: JsonWebKey;
}

/** The first key's file name; creating it with the exclusive flag lets replicas that start together share one key. */
const INITIAL_KEY_FILE = 'initial.json';

function parseKeyFile(path: string, file: string): SigningKey {
  const content = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
  if (content.alg !== 'EdDSA' || typeof content.kid !== 'string' || content.private_jwk?.crv !== 'Ed25519') {
    throw new TypeError('not an Ed25519 signing key file');
  }
  const privateKey = createPrivateKey({ key: content.private_jwk, format: 'jwk' });
  const createdAt = Date.parse(content.created_at);
  const activatesAt = Date.parse(content.activates_at);
  if (Number.isNaN(createdAt) || Number.isNaN(activatesAt)) throw new TypeError('created_at or activates_at is not a date');
  return { kid: content.kid, alg: 'EdDSA', privateKey, publicKey: createPublicKey(privateKey), createdAt, activatesAt, file };
}

/** Orders keys by activation, then creation, then kid, so every replica picks the same signing key. */
function compareKeys(a: SigningKey, b: SigningKey): number {
  return a.activatesAt - b.activatesAt || a.createdAt - b.createdAt || a.kid.localeCompare(b.kid);
}

/**
 * Writes a new key file and returns its kid. The first key of a folder
 * activates at once; a rotation passes `activationDelaySeconds`.
 */
export async function createSigningKeyFile(directory: string, options: { now: number; activationDelaySeconds: number; initial?: boolean }): Promise<{ kid: string; file: string; created: boolean }> {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const privateJwk = privateKey.export({ format: 'jwk' });
  const { d: _d, ...publicJwk } = privateJwk;
  const kid = await calculateJwkThumbprint(publicJwk as JWK);
  const content: KeyFile = {
    kid,
    alg: 'EdDSA',
    created_at: new Date(options.now).toISOString(),
    activates_at: new Date(options.now + options.activationDelaySeconds * 1000).toISOString(),
    private_jwk: privateJwk,
  };
  const file = options.initial ? INITIAL_KEY_FILE : `${new Date(options.now).toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.json`;
  try {
    writeFileSync(join(directory, file), `${JSON.stringify(content, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if (options.initial && (error as NodeJS.ErrnoException).code === 'EEXIST') return { kid: '', file, created: false };
    throw error;
  }
  return { kid, file, created: true };
}

export interface SigningKeyRingOptions {
  directory: string;
  clock: Clock;
  /** Seconds a replaced key stays published: the access token lifetime plus the clock tolerance. */
  retentionSeconds: number;
  logger?: Logger;
}

export class SigningKeyRing {
  readonly directory: string;
  readonly #clock: Clock;
  readonly #retentionMs: number;
  readonly #logger: Logger | undefined;
  #keys: SigningKey[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(options: SigningKeyRingOptions) {
    this.directory = options.directory;
    this.#clock = options.clock;
    this.#retentionMs = options.retentionSeconds * 1000;
    this.#logger = options.logger;
  }

  /** Opens the folder, creating it and its first key when it contains none. */
  static async open(options: SigningKeyRingOptions): Promise<SigningKeyRing> {
    const ring = new SigningKeyRing(options);
    mkdirSync(ring.directory, { recursive: true, mode: 0o700 });
    chmodSync(ring.directory, 0o700);
    ring.reload();
    if (ring.#keys.length === 0) {
      const created = await createSigningKeyFile(ring.directory, { now: options.clock(), activationDelaySeconds: 0, initial: true });
      if (created.created) options.logger?.info({ kid: created.kid, directory: ring.directory }, 'created the first JWT signing key');
      ring.reload();
    }
    if (ring.#keys.length === 0) throw new Error(`no readable signing key in ${ring.directory}`);
    return ring;
  }

  /** Reads every key file again; a file that cannot be read is skipped and logged. */
  reload(): void {
    const keys: SigningKey[] = [];
    for (const file of readdirSync(this.directory).filter((name) => name.endsWith('.json')).sort()) {
      try {
        keys.push(parseKeyFile(join(this.directory, file), file));
      } catch (error) {
        this.#logger?.warn({ file, err: error }, 'skipped an unreadable JWT signing key file');
      }
    }
    keys.sort(compareKeys);
    // An emptied folder keeps the keys already loaded, so tokens keep verifying and signing goes on.
    if (keys.length === 0) return;
    const known = new Set(this.#keys.map((key) => key.kid));
    for (const key of keys) {
      if (known.size > 0 && !known.has(key.kid)) {
        this.#logger?.info({ kid: key.kid, activatesAt: new Date(key.activatesAt).toISOString() }, 'loaded a new JWT signing key');
      }
    }
    this.#keys = keys;
  }

  /** Reloads the folder every `intervalMs`, so a rotation needs no restart. */
  startReloading(intervalMs: number): void {
    this.#timer ??= setInterval(() => this.reload(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Returns the key that signs now: the newest one whose activation time has passed. */
  current(): SigningKey {
    const now = this.#clock();
    let current = this.#keys[0];
    for (const key of this.#keys) if (key.activatesAt <= now) current = key;
    return current;
  }

  /** Keys a verifier may meet: those waiting to activate, the current one, and replaced ones within retention. */
  published(): SigningKey[] {
    const now = this.#clock();
    const current = this.current();
    return this.#keys.filter((key, index) => {
      if (key === current || key.activatesAt > now) return true;
      // A key before the current one stopped signing when its successor activated.
      const successor = this.#keys[index + 1];
      return successor !== undefined && successor.activatesAt + this.#retentionMs > now;
    });
  }

  /** Files of keys replaced longer than the retention ago; a rotation deletes them. */
  expiredFiles(): string[] {
    const published = new Set(this.published());
    return this.#keys.filter((key) => !published.has(key) && key.activatesAt <= this.#clock()).map((key) => key.file);
  }

  /** Returns the public keys as a JSON Web Key Set (RFC 7517, section 5). */
  jwks(): { keys: JWK[] } {
    return {
      keys: this.published().map((key) => ({ ...(key.publicKey.export({ format: 'jwk' }) as JWK), kid: key.kid, alg: key.alg, use: 'sig' })),
    };
  }

  /** A jose key resolver over the published keys, for the auth service's own token checks. */
  readonly getKey: JWTVerifyGetKey = (header) => {
    const key = this.published().find((candidate) => candidate.kid === header.kid);
    if (!key) throw new joseErrors.JWKSNoMatchingKey();
    return key.publicKey;
  };

  /** Deletes the files of keys past their retention; returns their names. */
  pruneExpired(): string[] {
    const expired = this.expiredFiles();
    for (const file of expired) rmSync(join(this.directory, file), { force: true });
    if (expired.length > 0) this.reload();
    return expired;
  }
}
