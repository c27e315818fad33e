import type { Socket } from 'node:net';
import { ERROR_CODES, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, type ErrorCode } from '@tether/protocol';
import type { FastifyInstance } from 'fastify';
import { titleFor } from '../errors.js';

/** Node's parser errors for which it answers itself (before any route runs), and the code each answer carries. */
function codeFor(err: NodeJS.ErrnoException): ErrorCode {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  if (err.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  return 'validation_failed';
}

/**
 * Fastify's `clientErrorHandler`: the answers Node's HTTP parser sends on its own (a malformed request line or
 * header: 400; headers larger than the limit: 431; a request that did not arrive in time: 408) are
 * application/problem+json like every other error, then the connection is closed. Logged at debug.
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code = codeFor(err);
  const status = ERROR_CODES[code];
  this.log.debug({ err: { code: err.code, message: err.message } }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify({
      type: PROBLEM_TYPE_BASE + code,
      title: titleFor(code),
      status,
      code,
      detail:
        code === 'request_timeout'
          ? 'The request did not arrive in time'
          : code === 'headers_too_large'
            ? 'The request headers are too large'
            : 'The request is not valid HTTP',
    });
    socket.end(
      `HTTP/1.1 ${status} ${titleFor(code)}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
