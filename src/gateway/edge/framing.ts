import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { AppError } from '../../common/errors.ts';

/**
 * Checks the message framing that Node's parser (llhttp) leaves to the
 * application. We measured Node 20.20 with raw sockets (test/attack/framing.test.ts).
 * llhttp already rejects with 400: Content-Length together with Transfer-Encoding, two
 * Content-Length headers, a Content-Length list or sign, a Transfer-Encoding
 * that does not end in chunked, two Transfer-Encoding headers, obs-fold
 * continuation lines, bare LF or CR, NUL bytes and a missing Host. It lets
 * through `Transfer-Encoding: gzip, chunked`, an empty Transfer-Encoding,
 * Transfer-Encoding on HTTP/1.0, two Host headers and an absolute-form
 * request target; this check rejects those, and repeats the Content-Length
 * checks in case a later Node version relaxes them.
 */
export function checkFraming(request: IncomingMessage): void {
  // A request pipelined behind a faulty one may be a smuggled request cut out of its body.
  if (poisonedSockets.has(request.socket)) throw new SmuggledRequestError();
  const raw = request.rawHeaders;
  let contentLengths = 0;
  let transferEncodings = 0;
  let hosts = 0;
  let transferEncoding = '';
  let contentLength = '';
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index].toLowerCase();
    if (name === 'content-length') {
      contentLengths += 1;
      contentLength = raw[index + 1];
    } else if (name === 'transfer-encoding') {
      transferEncodings += 1;
      transferEncoding = raw[index + 1];
    } else if (name === 'host') {
      hosts += 1;
    }
  }

  if (contentLengths > 1) throw framingError(request, 'more than one Content-Length header');
  if (contentLengths === 1 && !/^\d{1,15}$/.test(contentLength.trim())) throw framingError(request, 'Content-Length is not a number of bytes');
  if (transferEncodings > 0) {
    if (transferEncodings > 1) throw framingError(request, 'more than one Transfer-Encoding header');
    if (contentLengths > 0) throw framingError(request, 'both Content-Length and Transfer-Encoding');
    if (transferEncoding.trim().toLowerCase() !== 'chunked') throw framingError(request, 'a Transfer-Encoding other than chunked');
    // RFC 9112, section 6.1: Transfer-Encoding in an HTTP/1.0 message is faulty framing.
    if (request.httpVersion !== '1.1') throw framingError(request, `Transfer-Encoding in an HTTP/${request.httpVersion} request`);
  }
  // RFC 9112, section 3.2: a request with more than one Host header gets a 400.
  if (hosts > 1) throw framingError(request, 'more than one Host header');
  if (!request.url?.startsWith('/')) throw framingError(request, 'a request target that is not an absolute path');
}

/**
 * Connections that sent a request with faulty framing. Node may already have
 * parsed the next request from the same bytes, so every later request on
 * such a connection is dropped, and the connection closes after the 400.
 */
const poisonedSockets = new WeakSet<Socket>();

/** Raised for a request that follows a faulty one on the same connection; it gets no response. */
export class SmuggledRequestError extends Error {
  constructor() {
    super('a request followed a request with faulty framing on the same connection');
    this.name = 'SmuggledRequestError';
  }
}

function framingError(request: IncomingMessage, reason: string): AppError {
  poisonedSockets.add(request.socket);
  return new AppError('BAD_REQUEST', `The request framing is invalid: ${reason}.`, { headers: { connection: 'close' } });
}
