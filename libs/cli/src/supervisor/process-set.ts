import { SupervisorError } from './errors.js';
import type { LogSink } from './log-sink.js';
import { ManagedProcess, type ProcessSpec } from './managed-process.js';
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.js';
import type { StartSystemOptions } from './types.js';

/** The restart policy `startSystem`'s `restart` option asks for. */
export function restartPolicy(opt: StartSystemOptions['restart']): RestartPolicy {
  if (opt === undefined || opt === true) return DEFAULT_RESTART_POLICY;
  if (opt === false) return { ...DEFAULT_RESTART_POLICY, enabled: false };
  return { ...DEFAULT_RESTART_POLICY, ...opt };
}

/** The children of one system, in start order, with the bookkeeping to stop them in reverse. */
export class ProcessSet {
  readonly infra = new Map<string, ManagedProcess>();
  readonly services = new Map<string, ManagedProcess>();
  constructor(
    private readonly policy: RestartPolicy,
    private readonly sink: LogSink,
  ) {}

  add(group: 'infra' | 'services', spec: ProcessSpec): ManagedProcess {
    const p = new ManagedProcess(spec, this.policy, this.sink);
    this[group].set(spec.name, p);
    p.start();
    return p;
  }

  get(name: string): ManagedProcess {
    const p = this.services.get(name) ?? this.infra.get(name);
    if (!p) {
      const replicas = this.replicasOf(name);
      throw new SupervisorError(
        'UNKNOWN_PROCESS',
        replicas.length
          ? `${name} runs ${replicas.length} replicas: name one (${replicas.map((x) => x.name).join(', ')})`
          : `no process named ${JSON.stringify(name)} (have: ${[...this.all()].map((x) => x.name).join(', ')})`,
      );
    }
    return p;
  }

  /** A process by its name, or every replica of a service by the service's name. */
  getAll(name: string): ManagedProcess[] {
    const p = this.services.get(name) ?? this.infra.get(name);
    if (p) return [p];
    const replicas = this.replicasOf(name);
    return replicas.length ? replicas : [this.get(name)];
  }

  private replicasOf(service: string): ManagedProcess[] {
    return [...this.services.values()].filter((p) => p.name.startsWith(`${service}#`));
  }

  *all(): Iterable<ManagedProcess> {
    yield* this.services.values();
    yield* this.infra.values();
  }

  async stop(graceMs: number): Promise<void> {
    await Promise.all([...this.services.values()].map((p) => p.stop(graceMs)));
    await Promise.all([...this.infra.values()].map((p) => p.stop(graceMs)));
  }
}
