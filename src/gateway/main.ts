import { ConfigError } from '../common/config.ts';
import { startGateway } from './server.ts';

/** Starts the gateway from the process environment and stops it cleanly on SIGTERM or SIGINT. */
async function main(): Promise<void> {
  let gateway;
  try {
    gateway = await startGateway(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const running = gateway;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    running.app.log.info({ signal }, 'gateway stopping');
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        running.app.log.error({ err }, 'gateway failed to stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`The gateway failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
