import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { jobEvents } from '../src/cli/job-events.js';

describe('following a job over server-sent events', () => {
  it('when the gateway streams job views with heartbeats, split across chunks, then each view is yielded in order and the stream ends', async () => {
    const server = createServer((req, res) => {
      expect(req.headers.authorization).toBe('Bearer t0k');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': heartbeat\n\n');
      res.write('event: job\ndata: {"id":"j1","status":"PENDING","status_detail":null}\n\n');
      res.write('event: job\ndata: {"id":"j1","sta');
      setTimeout(() => {
        res.write('tus":"PROCESSING","status_detail":"generating"}\n\nevent: other\ndata: {}\n\n');
        res.end('event: job\ndata: {"id":"j1","status":"COMPLETED","asset_id":"a1"}\n\n');
      }, 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const seen: string[] = [];
    for await (const job of jobEvents(
      `http://127.0.0.1:${port}/api/v1/jobs/j1/events`,
      't0k',
      AbortSignal.timeout(5_000),
    ))
      seen.push(job.status);
    server.close();
    expect(seen).toEqual(['PENDING', 'PROCESSING', 'COMPLETED']);
  });

  it('when the route is missing, then opening the stream throws so the caller can poll instead', async () => {
    const server = createServer((_req, res) =>
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{}}'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const iterate = async () => {
      for await (const _ of jobEvents(`http://127.0.0.1:${port}/x`, 't', AbortSignal.timeout(5_000))) {
        /* nothing */
      }
    };
    await expect(iterate()).rejects.toThrow(/no event stream \(404\)/);
    server.close();
  });
});
