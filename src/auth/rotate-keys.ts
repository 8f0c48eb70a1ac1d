/**
 * Rotates the Ed25519 signing key of `eddsa` mode: `npm run rotate-keys`.
 * It writes a new key into the key folder that activates after
 * JWT_KEY_ACTIVATION_DELAY_SECONDS, and deletes the files of keys replaced
 * longer ago than the access token lifetime plus the clock tolerance. Running
 * auth services pick the new key up on their next folder read, so no process
 * restarts and no session ends. It reads the same variables as the service.
 */
import { ConfigError } from '../common/config.ts';
import { readAuthConfig } from './config.ts';
import { createSigningKeyFile, SigningKeyRing } from './signing-keys.ts';

async function main(): Promise<void> {
  const config = readAuthConfig(process.env);
  if (!config.signingKeys) {
    throw new ConfigError('JWT_MODE', 'key rotation applies to JWT_MODE=eddsa only; with hs256, replace JWT_SECRET_KEY instead');
  }
  const { directory, activationDelaySeconds, reloadIntervalMs } = config.signingKeys;
  const now = Date.now();
  const ring = await SigningKeyRing.open({
    directory,
    clock: () => now,
    retentionSeconds: config.accessTokenTtlSeconds + config.jwt.clockToleranceSeconds,
  });
  const removed = ring.pruneExpired();
  const created = await createSigningKeyFile(directory, { now, activationDelaySeconds });

  const activation = new Date(now + activationDelaySeconds * 1000).toISOString();
  process.stdout.write(`New signing key ${created.kid} written to ${directory}/${created.file}.\n`);
  process.stdout.write(`Auth services load it within ${reloadIntervalMs / 1000} s and sign with it from ${activation}.\n`);
  if (removed.length > 0) process.stdout.write(`Deleted ${removed.length} expired key file(s): ${removed.join(', ')}.\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`Key rotation failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
