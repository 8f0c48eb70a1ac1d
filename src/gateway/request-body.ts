import type { IncomingMessage } from 'node:http';
import { AppError } from '../common/errors.ts';

export interface BodyReadOptions {
  limitBytes: number;
  /** Maximum pause between two chunks; 0 waits without limit. */
  idleTimeoutMs: number;
}

/** Builds the error of a request whose body cannot be kept; the connection closes, so the client stops sending. */
function closing(code: 'PAYLOAD_TOO_LARGE' | 'REQUEST_TIMEOUT' | 'BAD_REQUEST', message: string): AppError {
  return new AppError(code, message, { headers: { connection: 'close' } });
}

/**
 * Reads a whole request body into memory, for the small JSON bodies the
 * gateway validates. A Content-Length over the limit is refused before
 * anything is read; a chunked body is counted as it arrives. A body that
 * pauses longer than `idleTimeoutMs` is a 408.
 */
export function readRequestBody(request: IncomingMessage, { limitBytes, idleTimeoutMs }: BodyReadOptions): Promise<Buffer> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) {
    return Promise.reject(closing('PAYLOAD_TOO_LARGE', `The request body is larger than ${limitBytes} bytes.`));
  }

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | null = null;

    const cleanup = () => {
      if (timer) clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
    };
    const fail = (error: AppError) => {
      cleanup();
      // Further bytes are discarded, so a client that keeps sending does not fill memory.
      request.resume();
      reject(error);
    };
    const arm = () => {
      if (idleTimeoutMs <= 0) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => fail(closing('REQUEST_TIMEOUT', `The request body stopped arriving for ${idleTimeoutMs} ms.`)), idleTimeoutMs);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        fail(closing('PAYLOAD_TOO_LARGE', `The request body is larger than ${limitBytes} bytes.`));
        return;
      }
      chunks.push(chunk);
      arm();
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = () => fail(closing('BAD_REQUEST', 'The request body could not be read.'));
    const onAborted = () => fail(closing('BAD_REQUEST', 'The client closed the connection before the body ended.'));

    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onError);
    request.once('aborted', onAborted);
    arm();
  });
}

/** Parses a JSON body; a body that is not JSON is a 400, as at the services. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('BAD_REQUEST', 'The request body is not valid JSON.');
  }
}

/** True when the Content-Type is application/json, with or without parameters, the one type the services parse. */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(';', 1)[0].trim().toLowerCase() === 'application/json';
}
