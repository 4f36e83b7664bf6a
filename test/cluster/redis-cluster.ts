import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePortRange } from './ports.js';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  /** host:port, as REDIS_CLUSTER_NODES lists it. */
  address: string;
  pid: number;
  dir: string;
  /** False once this helper killed it. */
  alive: boolean;
}

export interface NodeRole {
  port: number;
  id: string;
  role: 'master' | 'replica';
  /** For a master: its slot ranges. */
  slots: Array<[number, number]>;
  /** For a replica: its master's id. */
  masterId: string | null;
  failed: boolean;
}

export interface RedisCluster {
  nodes: ClusterNode[];
  /** host:port of every node, comma-separated: a REDIS_CLUSTER_NODES value. */
  seeds: string;
  /** What CLUSTER NODES says, asked of a live node. */
  roles(): Promise<NodeRole[]>;
  /** The live master's node serving a slot. */
  masterOf(slot: number): Promise<ClusterNode>;
  /** SIGKILL a node by pid (a crash: no shutdown save); resolves once it exited. */
  kill(port: number): Promise<void>;
  /**
   * Starts a node this helper killed again, on its port and directory: its nodes.conf makes it
   * rejoin the cluster, as a replica of whichever node took its slots. Resolves once it
   * answers PING and reports cluster_state:ok.
   */
  restart(port: number, timeoutMs?: number): Promise<ClusterNode>;
  /** Resolves once a node of the old master's slots is a master again and the cluster is ok. */
  waitForFailover(deadPort: number, timeoutMs?: number): Promise<ClusterNode>;
  /** Every node `redis-cli INFO <section>` of one node. */
  info(port: number, section: string): Promise<Record<string, string>>;
  /** Stops every node this helper started (by pid) and removes their directories. */
  stop(): Promise<void>;
}

export interface StartRedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  nodeTimeoutMs?: number;
  /** Extra redis-server arguments for every node. */
  args?: string[];
  startTimeoutMs?: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
/** Whatever happens to the test process, no node outlives it. */
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/**
 * A real Redis Cluster on this machine: masters × (1 + replicasPerMaster) redis-server
 * processes on free ports (a random base, not the well-known 7000s), in a temporary
 * directory, created with `redis-cli --cluster create`. Resolves once every node says
 * cluster_state:ok and a write through the cluster succeeds. Always `stop()` it.
 */
export async function startRedisCluster(opts: StartRedisClusterOptions = {}): Promise<RedisCluster> {
  installExitHook();
  const masters = opts.masters ?? 3;
  const replicas = opts.replicasPerMaster ?? 1;
  const count = masters * (1 + replicas);
  const nodeTimeoutMs = opts.nodeTimeoutMs ?? 2_000;
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  const root = await mkdtemp(join(tmpdir(), 'pixsim-redis-cluster-'));
  const ports = await freePortRange(count, { offset: 10_000 });
  const nodes: ClusterNode[] = [];
  const children = new Map<number, ChildProcess>();

  /** One redis-server of the cluster, in its own directory (where its nodes.conf and AOF live). */
  const spawnNode = (port: number, dir: string): ChildProcess => {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        String(nodeTimeoutMs),
        '--appendonly',
        'yes',
        '--dir',
        dir,
        '--daemonize',
        'no',
        '--save',
        '',
        '--logfile',
        join(dir, 'redis.log'),
        ...(opts.args ?? []),
      ],
      { stdio: 'ignore' },
    );
    // A missing binary shows as the node never answering PING, named below.
    child.once('error', () => {});
    live.add(child);
    child.once('exit', () => live.delete(child));
    children.set(port, child);
    return child;
  };

  const stop = async () => {
    await Promise.all(
      nodes.map(async (node) => {
        const child = children.get(node.port);
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const done = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
        if (!done) {
          child.kill('SIGKILL');
          await exited;
        }
      }),
    );
    for (const node of nodes) node.alive = false;
    await rm(root, { recursive: true, force: true });
  };

  try {
    for (const port of ports) {
      const dir = join(root, String(port));
      await run('mkdir', ['-p', dir]);
      spawnNode(port, dir);
      nodes.push({ port, address: `127.0.0.1:${port}`, pid: children.get(port)!.pid!, dir, alive: true });
    }
    for (const port of ports) await until(() => cli(port, 'PING').then((a) => a === 'PONG'), 10_000, `node ${port}`);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((n) => n.address),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    const deadline = Date.now() + startTimeoutMs;
    for (const port of ports) {
      await until(
        async () => (await clusterInfo(port)).cluster_state === 'ok',
        deadline - Date.now(),
        `node ${port} ok`,
      );
    }
    await until(
      async () =>
        (await run('redis-cli', ['-c', '-p', String(ports[0]), 'SET', 'pixsim:cluster:probe', '1'])).stdout.trim() ===
        'OK',
      deadline - Date.now(),
      'a write through the cluster',
    );
    // A replica takes its first full copy some seconds after the cluster forms (a master
    // waits repl-diskless-sync-delay, 5 s, for more replicas to sync with); until then a
    // WAIT for one replica times out. Ready means every replica is linked and in sync.
    for (const port of ports) {
      await until(
        async () => {
          const r = parseInfo(await cli(port, 'INFO', 'replication'));
          return r.role !== 'slave' || (r.master_link_status === 'up' && r.master_sync_in_progress === '0');
        },
        deadline - Date.now(),
        `node ${port} in sync with its master`,
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }

  const slotsOfKilled = new Map<number, Array<[number, number]>>();
  const aliveNode = () => {
    const node = nodes.find((n) => n.alive);
    if (!node) throw new Error('no live node left');
    return node;
  };

  const roles = async (): Promise<NodeRole[]> => {
    const text = await cli(aliveNode().port, 'CLUSTER', 'NODES');
    return text
      .trim()
      .split('\n')
      .map((line) => {
        const [id, address, flags, masterId, , , , , ...slots] = line.split(' ');
        const port = Number(address!.split('@')[0]!.split(':').at(-1));
        return {
          port,
          id: id!,
          role: flags!.includes('master') ? 'master' : 'replica',
          masterId: masterId === '-' ? null : masterId!,
          failed: flags!.includes('fail'),
          slots: slots
            .filter((s) => !s.startsWith('['))
            .map((s) => {
              const [lo, hi] = s.split('-').map(Number);
              return [lo!, hi ?? lo!] as [number, number];
            }),
        } satisfies NodeRole;
      });
  };

  const masterOf = async (slot: number): Promise<ClusterNode> => {
    const owner = (await roles()).find(
      (r) => r.role === 'master' && !r.failed && r.slots.some(([lo, hi]) => slot >= lo && slot <= hi),
    );
    const node = nodes.find((n) => n.port === owner?.port);
    if (!node) throw new Error(`no live master serves slot ${slot}`);
    return node;
  };

  return {
    nodes,
    seeds: nodes.map((n) => n.address).join(','),
    roles,
    masterOf,
    async kill(port) {
      const child = children.get(port);
      const node = nodes.find((n) => n.port === port);
      if (!child || !node) throw new Error(`no node on port ${port}`);
      const role = (await roles()).find((r) => r.port === port);
      if (role?.role === 'master') slotsOfKilled.set(port, role.slots);
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      process.kill(node.pid, 'SIGKILL');
      await exited;
      node.alive = false;
    },
    async restart(port, timeoutMs = 30_000) {
      const node = nodes.find((n) => n.port === port);
      if (!node) throw new Error(`no node on port ${port}`);
      if (node.alive) throw new Error(`node ${port} is running`);
      node.pid = spawnNode(port, node.dir).pid!;
      node.alive = true;
      await until(() => cli(port, 'PING').then((a) => a === 'PONG'), timeoutMs, `node ${port} restarted`);
      await until(async () => (await clusterInfo(port)).cluster_state === 'ok', timeoutMs, `node ${port} ok`);
      return node;
    },
    async waitForFailover(deadPort, timeoutMs = 30_000) {
      const slot = slotsOfKilled.get(deadPort)?.[0]?.[0];
      if (slot === undefined) throw new Error(`node ${deadPort} was not a master killed by this helper`);
      let heir: ClusterNode | undefined;
      await until(
        async () => {
          const owner = (await roles()).find(
            (r) =>
              r.role === 'master' &&
              !r.failed &&
              r.port !== deadPort &&
              r.slots.some(([lo, hi]) => slot >= lo && slot <= hi),
          );
          heir = nodes.find((n) => n.alive && n.port === owner?.port);
          if (!heir) return false;
          for (const n of nodes.filter((x) => x.alive))
            if ((await clusterInfo(n.port)).cluster_state !== 'ok') return false;
          return true;
        },
        timeoutMs,
        `failover of ${deadPort}`,
      );
      return heir!;
    },
    async info(port, section) {
      return parseInfo(await cli(port, 'INFO', section));
    },
    stop,
  };
}

async function cli(port: number, ...args: string[]): Promise<string> {
  return (await run('redis-cli', ['-p', String(port), ...args])).stdout.trim();
}

async function clusterInfo(port: number): Promise<Record<string, string>> {
  return parseInfo(await cli(port, 'CLUSTER', 'INFO'));
}

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + Math.max(0, timeoutMs);
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    }
    await sleep(200);
  }
}
