import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError } from 'fastify';
import type { ErrorBody } from './error-boundary.js';

type Answer = readonly [status: number, code: string, message: string];

/** Node's own parse errors, before any request exists; anything not listed is a 400. */
const ANSWERS: Readonly<Record<string, Answer>> = {
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'the request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'the request did not arrive in time'],
};
const MALFORMED: Answer = [400, 'MALFORMED_REQUEST', 'the request is not well-formed HTTP'];

/**
 * fastify's `clientErrorHandler`: errors Node's HTTP parser raises (oversized headers, a
 * malformed header line, a non-numeric Content-Length) answered in the error shape
 * instead of fastify's default one, then the connection closed, as Node itself does.
 */
export function clientErrorHandler(err: ConnectionError, socket: Socket): void {
  // A reset or closed connection has no one left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // Bytes of a response already under way on this connection must not be corrupted.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) socket.write(rawResponse(ANSWERS[err.code] ?? MALFORMED));
  socket.destroy();
}

function rawResponse([status, code, message]: Answer): string {
  const body = JSON.stringify({ error: { code, message } } satisfies ErrorBody);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
