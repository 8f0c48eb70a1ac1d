import { ConfigError } from '../common/config.ts';
import { startChatService } from './server.ts';

try {
  const service = await startChatService(process.env);
  service.app.log.info({ url: service.url }, 'chat service listening');

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    service.app.log.info({ signal }, 'chat service stopping');
    try {
      await service.close();
      process.exit(0);
    } catch (error) {
      service.app.log.error({ err: error }, 'chat service failed to stop cleanly');
      process.exit(1);
    }
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
