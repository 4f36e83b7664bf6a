import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

export type Route = (req: Recorded) => { status: number; body?: unknown; headers?: Record<string, string> };

/**
 * A stand-in for the gateway's HTTP answers, for the CLI's own tests: what is under
 * test is how the CLI asks and how it reports, not the gateway.
 */
export async function startFakeGateway(
  routes: Record<string, Route>,
): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString();
    });
    req.on('end', () => {
      const rec: Recorded = {
        method: req.method!,
        url: req.url!,
        authorization: req.headers.authorization,
        body: raw ? JSON.parse(raw) : undefined,
      };
      requests.push(rec);
      const path = req.url!.split('?')[0]!;
      const route = routes[`${req.method} ${path}`];
      const answer = route
        ? route(rec)
        : { status: 404, body: { error: { code: 'NOT_FOUND', message: `no route ${req.method} ${path}` } } };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
