/**
 * A parser for the text/event-stream format (HTML Living Standard, "Server-sent
 * events", section 9.2.6), fed with text as it arrives from fetch's body.
 * EventSource cannot send a POST body or an Authorization header, hence this.
 */

export interface ServerSentEvent {
  /** The `event:` field, or "message" when absent. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  id: string | null;
}

export class SseParser {
  #buffer = '';
  #eventType = '';
  #dataLines: string[] = [];
  #lastEventId: string | null = null;
  #started = false;

  /** Adds a piece of the stream and returns the events that it completed. */
  push(text: string): ServerSentEvent[] {
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.#buffer += text;
    const events: ServerSentEvent[] = [];
    let lineStart = 0;
    let index = 0;
    while (index < this.#buffer.length) {
      const char = this.#buffer[index];
      if (char !== '\n' && char !== '\r') {
        index += 1;
        continue;
      }
      // A CR at the end of the buffer may be the first half of CRLF, so it waits for the next piece.
      if (char === '\r' && index + 1 === this.#buffer.length) break;
      const event = this.#processLine(this.#buffer.slice(lineStart, index));
      if (event) events.push(event);
      index += char === '\r' && this.#buffer[index + 1] === '\n' ? 2 : 1;
      lineStart = index;
    }
    this.#buffer = this.#buffer.slice(lineStart);
    return events;
  }

  /** Ends the stream. Per the standard, an event without its closing blank line is dropped. */
  finish(): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    if (this.#buffer.endsWith('\r')) {
      const event = this.#processLine(this.#buffer.slice(0, -1));
      if (event) events.push(event);
    }
    this.#buffer = '';
    this.#eventType = '';
    this.#dataLines = [];
    return events;
  }

  #processLine(line: string): ServerSentEvent | null {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#eventType = value;
        break;
      case 'data':
        this.#dataLines.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.#lastEventId = value;
        break;
      default:
        // `retry` only matters to EventSource reconnection; unknown fields are ignored.
        break;
    }
    return null;
  }

  #dispatch(): ServerSentEvent | null {
    const hasData = this.#dataLines.length > 0;
    const event: ServerSentEvent = { event: this.#eventType || 'message', data: this.#dataLines.join('\n'), id: this.#lastEventId };
    this.#eventType = '';
    this.#dataLines = [];
    return hasData ? event : null;
  }
}

/** Reads a response body as server-sent events, decoding UTF-8 across chunk borders. */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const cancel = () => void reader.cancel().catch(() => {});
  let finished = false;
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    finished = true;
    yield* parser.push(decoder.decode());
    yield* parser.finish();
  } finally {
    signal?.removeEventListener('abort', cancel);
    // A consumer that stops early (an error event, a closed view) must not leave the response open.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
