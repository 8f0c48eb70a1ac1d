/**
 * Opens many keep-alive connections to one server, sends one request on each
 * and keeps them all open, so the parent can read the server's memory
 * meanwhile. On the parent's `second-pass` message it sends one more
 * request on every connection (proving the connections still work), and on
 * `close` it closes them and exits.
 *
 * Reads HoldSettings from BENCH_HOLD. Talks to the parent over IPC:
 * {type: 'held', ...PassResult} after the first pass, {type: 'second', ...}
 * after the second.
 */
import { connect, type Socket } from 'node:net';

export interface HoldSettings {
  port: number;
  path: string;
  headers: Record<string, string>;
  connections: number;
  /** Connections being opened at the same time. */
  batchSize: number;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
}

export interface PassResult {
  open: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Connections closed by the server or reset since the previous pass. */
  closed: number;
  /** Responses by HTTP status. */
  statusCounts: Record<string, number>;
  elapsedMs: number;
}

const settings = JSON.parse(process.env.BENCH_HOLD ?? 'null') as HoldSettings | null;
if (!settings) throw new Error('BENCH_HOLD with port, path, headers and connections is required');

const headerLines = Object.entries(settings.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
const requestText = `GET ${settings.path} HTTP/1.1\r\nhost: 127.0.0.1:${settings.port}\r\nconnection: keep-alive\r\n${headerLines}\r\n`;

/** One open connection and the response it is waiting for. */
class HeldConnection {
  readonly socket: Socket;
  closed = false;
  #buffer = '';
  #pending: ((status: number | Error) => void) | undefined;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.#settle(new Error('connection closed'));
    });
    socket.on('error', () => {
      this.closed = true;
    });
  }

  /** Sends the request and resolves with the response status once the whole body has arrived. */
  request(timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('connection closed'));
      const timer = setTimeout(() => this.#settle(new Error('timed out')), timeoutMs);
      this.#pending = (outcome) => {
        clearTimeout(timer);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      this.#buffer = '';
      this.socket.write(requestText);
    });
  }

  #settle(outcome: number | Error): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.(outcome);
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    const headerEnd = this.#buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = this.#buffer.slice(0, headerEnd);
    const status = Number(head.slice(9, 12));
    const body = this.#buffer.slice(headerEnd + 4);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const complete = length ? body.length >= Number(length[1]) : /\r\ntransfer-encoding:\s*chunked/i.test(head) && body.endsWith('0\r\n\r\n');
    if (complete) this.#settle(status);
  }
}

function open(): Promise<HeldConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(settings!.port, '127.0.0.1');
    const timer = setTimeout(() => socket.destroy(new Error('connect timed out')), settings!.timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(new HeldConnection(socket));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

const openConnections: HeldConnection[] = [];

async function pass(first: boolean): Promise<PassResult> {
  const started = Date.now();
  const result: PassResult = { open: 0, ok: 0, non2xx: 0, errors: 0, closed: 0, elapsedMs: 0, statusCounts: {} };
  const count = first ? settings!.connections : openConnections.length;
  for (let start = 0; start < count; start += settings!.batchSize) {
    const batch = Array.from({ length: Math.min(settings!.batchSize, count - start) }, (_, offset) => start + offset);
    await Promise.all(
      batch.map(async (index) => {
        try {
          const connection = first ? await open() : openConnections[index];
          if (first) openConnections.push(connection);
          const status = await connection.request(settings!.timeoutMs);
          result.statusCounts[status] = (result.statusCounts[status] ?? 0) + 1;
          if (status >= 200 && status <= 299) result.ok += 1;
          else result.non2xx += 1;
        } catch {
          result.errors += 1;
        }
      }),
    );
  }
  result.open = openConnections.filter((connection) => !connection.closed).length;
  result.closed = openConnections.length - result.open;
  result.elapsedMs = Date.now() - started;
  return result;
}

const send = (message: object): void => {
  process.send?.(message);
};

process.on('message', (message: { type?: string }) => {
  if (message.type === 'second-pass') {
    void pass(false).then((result) => send({ type: 'second', ...result }));
  } else if (message.type === 'close') {
    for (const connection of openConnections) connection.socket.destroy();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));

const first = await pass(true);
send({ type: 'held', ...first });
