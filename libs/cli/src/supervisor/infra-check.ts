import net from 'node:net';
import { InfraUnavailableError } from './errors.js';

/** How to start each dependency on a development machine (Debian packages), on the port asked for. */
export const START_COMMANDS = {
  redis: (port: number) =>
    `redis-server --daemonize yes --bind 127.0.0.1 -::1 --port ${port} --save "" --appendonly no --dir ` +
    `/var/lib/redis --logfile /var/log/redis/ci.log`,
  nats: (port: number) =>
    `start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p ${port} -js ` +
    `-sd /var/lib/nats-server -l /var/log/nats-server.log`,
} as const;

const PACKAGES = { redis: 'redis-server', nats: 'nats-server' } as const;

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\./.test(host);

interface Probe {
  /** Sent after connecting; null to only read. */
  send: string | null;
  /** The first bytes of any answer prove a live server (an auth error still answers). */
  answers(first: string): boolean;
}

const PROBES: Record<keyof typeof START_COMMANDS, Probe> = {
  redis: { send: 'PING\r\n', answers: (s) => s.startsWith('+') || s.startsWith('-') },
  nats: { send: null, answers: (s) => s.startsWith('INFO') },
};

function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  // nats:// may list several servers; the first is enough to tell "nothing runs here".
  const u = new URL(url.split(',')[0]!.trim());
  return { host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(u.port) || defaultPort };
}

function probe(host: string, port: number, p: Probe | null, tls: boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const done = (err?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (err) => done(err));
    socket.once('connect', () => {
      // Behind TLS we cannot speak the protocol without a handshake: a TCP connect is enough.
      if (tls || !p) return done();
      if (p.send) socket.write(p.send);
    });
    socket.once('data', (buf) =>
      done(
        p?.answers(buf.toString('latin1')) ? undefined : new Error('an unexpected answer (is this the right port?)'),
      ),
    );
  });
}

/** Fails with how to start the dependency when nothing answers at `url`. */
export async function checkDependency(kind: 'redis' | 'nats', url: string, timeoutMs = 2_000): Promise<void> {
  const { host, port } = hostPort(url, kind === 'redis' ? 6379 : 4222);
  const tls = /^(rediss|tls|wss):/.test(url);
  try {
    await probe(host, port, PROBES[kind], tls, timeoutMs);
  } catch (err) {
    const name = kind === 'redis' ? 'Redis' : 'NATS';
    const variable = kind === 'redis' ? 'REDIS_URL' : 'NATS_URL';
    // A server on another host is not ours to start: say where to look instead.
    const next = isLoopback(host)
      ? `Start it with:\n  ${START_COMMANDS[kind](port)}\n` +
        `or set ${variable} to one that runs. (No ${PACKAGES[kind]} installed? apt-get install -y ${PACKAGES[kind]})`
      : `Check that ${name} runs on ${host} and that this machine can reach port ${port}, or set ${variable} to one that runs.`;
    throw new InfraUnavailableError(
      `${name} is not answering at ${host}:${port} (${(err as Error).message}).\n${next}`,
      { cause: err },
    );
  }
}

/** The host:port seeds of a `mongodb://` connection string (credentials and options left out). */
export function mongoSeeds(uri: string): Array<{ host: string; port: number }> {
  const rest = uri.replace(/^mongodb:\/\//, '');
  const authority = rest.split(/[/?]/)[0] ?? '';
  const hosts = authority.slice(authority.lastIndexOf('@') + 1);
  return hosts
    .split(',')
    .filter(Boolean)
    .map((seed) => {
      const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(seed) ?? /^([^:]+)(?::(\d+))?$/.exec(seed);
      return { host: decodeURIComponent(m?.[1] ?? seed), port: Number(m?.[2] ?? 27017) };
    });
}

/**
 * Fails, saying what to do, when no seed of a given MONGODB_URI accepts a connection.
 * A connect is the whole probe (MongoDB speaks only when spoken to); `mongodb+srv://`
 * names a DNS record, not a host, and is left to the driver.
 */
export async function checkMongo(uri: string, timeoutMs = 2_000): Promise<void> {
  if (!uri.startsWith('mongodb://')) return;
  const seeds = mongoSeeds(uri);
  if (seeds.length === 0) return;
  try {
    await Promise.any(seeds.map(({ host, port }) => probe(host, port, null, false, timeoutMs)));
  } catch (err) {
    const where = seeds.map(({ host, port }) => `${host}:${port}`).join(', ');
    const first = (err as AggregateError).errors?.[0] as Error | undefined;
    const next = seeds.every(({ host }) => isLoopback(host))
      ? 'Start mongod there, or unset MONGODB_URI and npm start runs the bundled dev server (libs/mongo-dev).'
      : `Check that MongoDB runs on ${where} and that this machine can reach it, or fix MONGODB_URI (unset, npm start runs the bundled dev server).`;
    throw new InfraUnavailableError(
      `MongoDB is not answering at ${where} (${first?.message ?? 'no answer'}).\n${next}`,
      { cause: err },
    );
  }
}
