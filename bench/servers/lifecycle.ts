/**
 * Start-up and shutdown for the benchmark's child servers: each reports its
 * port to the parent over the IPC channel and closes on SIGTERM or SIGINT.
 */

export interface ReadyMessage {
  type: 'ready';
  port: number;
}

export function isReadyMessage(message: unknown): ReadyMessage | undefined {
  const candidate = message as Partial<ReadyMessage> | null;
  return candidate?.type === 'ready' && typeof candidate.port === 'number' ? (candidate as ReadyMessage) : undefined;
}

export function reportReady(port: number): void {
  if (!process.send) throw new Error('started without an IPC channel: run it from bench/run.ts');
  process.send({ type: 'ready', port } satisfies ReadyMessage);
}

/** Calls `close` once on SIGTERM or SIGINT, then exits 0 (so `--cpu-prof` writes its profile). */
export function closeOnSignal(close: () => Promise<unknown>): void {
  let closing = false;
  const onSignal = (): void => {
    if (closing) return;
    closing = true;
    const forceExit = setTimeout(() => process.exit(1), 5000);
    forceExit.unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/** Reads a required variable set by the parent. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is missing: run this server from bench/run.ts`);
  return value;
}
