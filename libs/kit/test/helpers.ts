import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { createLogger } from '../src/index.js';

/** A logger whose lines the test can read back. */
export function memoryLogger(service = 'kit-test'): { logger: Logger; records: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const logger = createLogger({ service, level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
  return { logger, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** A loopback port nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
