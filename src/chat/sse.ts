import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * A server-sent events response (HTML Living Standard, "Server-sent events").
 * Each event is written to the socket at once: no compression, no
 * buffering, and `X-Accel-Buffering: no` so that nginx passes it on as well.
 * Data is one line of JSON, which never contains a raw line break.
 */
export class EventStream {
  readonly #reply: FastifyReply;
  #closed = false;

  /** Takes the response over from Fastify and sends the status line and headers. */
  constructor(reply: FastifyReply) {
    this.#reply = reply;
    reply.hijack();
    const raw = reply.raw;
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) headers[name] = value;
    }
    raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    raw.flushHeaders();
    raw.socket?.setNoDelay(true);
    raw.on('close', () => {
      this.#closed = true;
    });
  }

  /** True once the client has gone or the stream has ended. */
  get closed(): boolean {
    return this.#closed || this.#reply.raw.destroyed;
  }

  /** Runs `listener` when the client disconnects before the stream ends. */
  onDisconnect(listener: () => void): void {
    this.#reply.raw.on('close', () => {
      if (!this.#reply.raw.writableFinished) listener();
    });
  }

  send(event: string, data: unknown): void {
    if (this.closed) return;
    this.#reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (this.closed) return;
    this.#closed = true;
    this.#reply.raw.end();
  }
}
