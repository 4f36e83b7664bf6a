import type { ServiceName } from '@pixsim/contracts';
import type { SystemSecrets } from './data-dir.js';
import type { LogSink } from './log-sink.js';
import type { ProcessSet } from './process-set.js';
import type { SimulatorAccount, SystemHandle } from './types.js';

/** What `startSystem` hands back: the running system's addresses and secrets, and control over its processes. */
export function systemHandle(ctx: {
  set: ProcessSet;
  sink: LogSink;
  stop: () => Promise<void>;
  readyTimeoutMs: number;
  gatewayUrl: string | null;
  gatewayUrls: string[];
  replicas: Partial<Record<ServiceName, string[]>>;
  ports: Partial<Record<ServiceName, number[]>>;
  secrets: SystemSecrets;
  simAccounts: SimulatorAccount[];
  prefix: string;
  dataDir: string | null;
  mongoUri: string;
  simulatorUrl: string | null;
}): SystemHandle {
  const { set } = ctx;
  return {
    gatewayUrl: ctx.gatewayUrl,
    gatewayUrls: ctx.gatewayUrls,
    adminToken: ctx.secrets.adminToken,
    simulatorUrl: ctx.simulatorUrl,
    simulatorAccounts: ctx.simAccounts,
    mongoUri: ctx.mongoUri,
    prefix: ctx.prefix,
    dataDir: ctx.dataDir,
    ports: Object.fromEntries(Object.entries(ctx.ports).map(([name, ports]) => [name, ports[0]])),
    replicaPorts: ctx.ports,
    replicas: ctx.replicas,
    processes: Object.fromEntries([...set.all()].map((p) => [p.name, p])),
    kill: async (name, signal = 'SIGKILL', o) => set.get(name).kill(signal, o),
    start: async (name, opts) => {
      const p = set.get(name);
      p.start(opts);
      await p.waitReady(ctx.readyTimeoutMs);
    },
    waitReady: async (name, timeoutMs) => {
      await Promise.all(set.getAll(name).map((p) => p.waitReady(timeoutMs ?? ctx.readyTimeoutMs)));
    },
    stop: ctx.stop,
    logs: () => ctx.sink.lines(),
  };
}
