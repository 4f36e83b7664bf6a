import { createServer } from 'node:net';

/** Whether a TCP port on 127.0.0.1 can be bound now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A random base port such that base … base+count−1 are free, and so is each one
 * plus `offset` when given (a Redis Cluster node also listens on port + 10000).
 * Random, so engineers and CI runs on one machine rarely meet; checked, so they never share.
 */
export async function freePortRange(count: number, opts: { offset?: number; min?: number; max?: number } = {}) {
  const { offset, min = 20_000, max = 30_000 } = opts;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = min + Math.floor(Math.random() * (max - min - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const wanted = offset ? [...ports, ...ports.map((p) => p + offset)] : ports;
    if ((await Promise.all(wanted.map(portIsFree))).every(Boolean)) return ports;
  }
  throw new Error(`no ${count} free ports found between ${min} and ${max}`);
}
