import net from 'node:net';

/**
 * Asks the kernel for a free loopback port. Another process could take it before the
 * child binds it; the window is milliseconds and only tests ask for port 0.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `wanted` unless it is 0, in which case a free port. */
export async function portOrFree(wanted: number): Promise<number> {
  return wanted === 0 ? freePort() : wanted;
}
