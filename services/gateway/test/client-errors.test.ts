import { Socket } from 'node:net';
import type { ConnectionError } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { clientErrorHandler } from '../src/http/client-errors.js';

const error = (code: string) =>
  Object.assign(new Error(code), { code, bytesParsed: 0, rawPacket: { type: 'Buffer', data: [] } }) as ConnectionError;
const fakeSocket = (over: Record<string, unknown> = {}) => ({
  destroyed: false,
  writable: true,
  write: vi.fn(),
  destroy: vi.fn(),
  ...over,
});

describe('clientErrorHandler', () => {
  it('when the socket is already destroyed, then it neither throws nor writes', () => {
    const socket = new Socket();
    socket.destroy();
    expect(() => clientErrorHandler(error('HPE_INVALID_HEADER_TOKEN'), socket)).not.toThrow();
    const destroyed = fakeSocket({ destroyed: true });
    clientErrorHandler(error('HPE_INVALID_HEADER_TOKEN'), destroyed as unknown as Socket);
    expect(destroyed.write).not.toHaveBeenCalled();
  });

  it('when the socket is not writable, or a response is already under way, then nothing is written and the socket is closed', () => {
    for (const socket of [fakeSocket({ writable: false }), fakeSocket({ _httpMessage: { headersSent: true } })]) {
      expect(() => clientErrorHandler(error('HPE_HEADER_OVERFLOW'), socket as unknown as Socket)).not.toThrow();
      expect(socket.write).not.toHaveBeenCalled();
      expect(socket.destroy).toHaveBeenCalledOnce();
    }
  });

  it('when the peer reset the connection, then nothing is written', () => {
    const socket = fakeSocket();
    clientErrorHandler(error('ECONNRESET'), socket as unknown as Socket);
    expect(socket.write).not.toHaveBeenCalled();
  });

  it('when the request timed out, then 408 REQUEST_TIMEOUT in the error shape', () => {
    const socket = fakeSocket();
    clientErrorHandler(error('ERR_HTTP_REQUEST_TIMEOUT'), socket as unknown as Socket);
    const [raw] = socket.write.mock.calls[0] as [string];
    expect(raw).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(JSON.parse(raw.split('\r\n\r\n')[1]!)).toEqual({
      error: { code: 'REQUEST_TIMEOUT', message: expect.any(String) },
    });
    expect(socket.destroy).toHaveBeenCalledOnce();
  });
});
