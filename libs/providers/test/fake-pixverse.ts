import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type FakeHandler = (req: SeenRequest, res: ServerResponse) => void;

/** A tiny HTTP server that records every request and answers with the test's handler. */
export async function startFakePixverse(
  handler: FakeHandler,
): Promise<{ url: string; seen: SeenRequest[]; stop(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      handler(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export const okEnvelope = (resp: unknown): unknown => ({ ErrCode: 0, ErrMsg: 'success', Resp: resp });

/** Answers every endpoint successfully, like a healthy PixVerse. */
export const happyHandler: FakeHandler = (req, res) => {
  if (req.url.endsWith('/image/upload'))
    return sendJson(res, 200, okEnvelope({ img_id: 42, img_url: 'https://media/img/42.png' }));
  if (req.url.includes('/video/result/')) {
    return sendJson(
      res,
      200,
      okEnvelope({ id: 7, status: 1, url: 'https://media/7.mp4', outputWidth: 960, outputHeight: 540, size: 1234 }),
    );
  }
  if (req.url.endsWith('/account/balance'))
    return sendJson(res, 200, okEnvelope({ account_id: 1, credit_monthly: 100, credit_package: 50 }));
  return sendJson(res, 200, okEnvelope({ video_id: 7 }));
};
