/**
 * The Mad Scientist gateway with its whole pipeline, started through its own
 * `startGateway(env)` with the environment the benchmark passes.
 */
import { startGateway } from '../../src/gateway/server.ts';
import { closeOnSignal, reportReady } from './lifecycle.ts';

const gateway = await startGateway(process.env);
reportReady(gateway.port);
closeOnSignal(() => gateway.close());
