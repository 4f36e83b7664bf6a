import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePortRange } from './ports.js';

export interface NatsNode {
  port: number;
  clusterPort: number;
  url: string;
  pid: number;
  alive: boolean;
}

export interface NatsCluster {
  nodes: NatsNode[];
  /** Every client URL, comma-separated: a NATS_URL value. */
  urls: string;
  /** SIGKILL one server by pid; resolves once it exited. */
  kill(port: number): Promise<void>;
  /** Stops every server this helper started, by pid. */
  stop(): Promise<void>;
}

// Debian installs it in /usr/sbin; elsewhere it is on the PATH.
const NATS_SERVER =
  process.env.NATS_SERVER_BIN ?? (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server');

/**
 * A local NATS cluster of `size` servers routed to each other (cluster name
 * `pixsim`), on free ports. Resolves once every server accepts connections; the
 * routes form within a moment after that (a test waits for a message to cross).
 */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const [clientPorts, clusterPorts] = await (async () => {
    const ports = await freePortRange(size * 2, { min: 30_000, max: 40_000 });
    return [ports.slice(0, size), ports.slice(size)];
  })();
  const routes = clusterPorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const children = new Map<number, ChildProcess>();
  const nodes: NatsNode[] = [];
  const stop = async () => {
    await Promise.all(
      [...children.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        if (!(await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]))) {
          child.kill('SIGKILL');
          await exited;
        }
      }),
    );
    for (const node of nodes) node.alive = false;
  };
  process.once('exit', () => {
    for (const child of children.values()) child.kill('SIGKILL');
  });
  try {
    clientPorts.forEach((port, i) => {
      const child = spawn(
        NATS_SERVER,
        [
          '-a',
          '127.0.0.1',
          '-p',
          String(port),
          '--cluster_name',
          'pixsim',
          '--cluster',
          `nats://127.0.0.1:${clusterPorts[i]}`,
          '--routes',
          routes,
        ],
        { stdio: 'ignore' },
      );
      child.once('error', () => {}); // a missing binary shows as the port never opening
      children.set(port, child);
      nodes.push({
        port,
        clusterPort: clusterPorts[i]!,
        url: `nats://127.0.0.1:${port}`,
        pid: child.pid!,
        alive: true,
      });
    });
    for (const node of nodes) await waitForPort(node.port, 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    nodes,
    urls: nodes.map((n) => n.url).join(','),
    async kill(port) {
      const node = nodes.find((n) => n.port === port);
      const child = children.get(port);
      if (!node || !child) throw new Error(`no NATS server on port ${port}`);
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      process.kill(node.pid, 'SIGKILL');
      await exited;
      node.alive = false;
    },
    stop,
  };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`NATS server on ${port} did not start within ${timeoutMs} ms`);
    await sleep(100);
  }
}
