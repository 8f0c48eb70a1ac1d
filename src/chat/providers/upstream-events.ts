import { AppError } from '../../common/errors.ts';

/** Maximum length of a line in an upstream event stream, in characters. */
const MAX_LINE_LENGTH = 1_000_000;

/**
 * Reads a text/event-stream body and yields the data of each event, with the
 * `data:` lines of one event joined by newlines (as the HTML Living
 * Standard, "Server-sent events", describes). Comments and other fields are
 * skipped. `onActivity` runs for every received chunk of bytes.
 */
export async function* readEventData(
  body: AsyncIterable<Uint8Array>,
  onActivity: () => void = () => {},
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];

  for await (const bytes of body) {
    onActivity();
    buffer += decoder.decode(bytes, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') {
        if (data.length > 0) yield data.join('\n');
        data = [];
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      }
      newline = buffer.indexOf('\n');
    }
    if (buffer.length > MAX_LINE_LENGTH) {
      throw new AppError('UPSTREAM_ERROR', 'The language model service sent an invalid event stream.');
    }
  }
  buffer += decoder.decode();
  const last = buffer.replace(/\r$/, '');
  if (last.startsWith('data:')) data.push(last.slice(5).replace(/^ /, ''));
  if (data.length > 0) yield data.join('\n');
}
