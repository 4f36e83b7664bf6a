import type { ServiceName } from '@pixsim/contracts';
import { SupervisorError } from './errors.js';
import { freePort, isPortFree } from './free-port.js';
import type { LogSink } from './log-sink.js';
import { DEFAULT_PORTS, REPLICA_PORT_STEP, replicaProcessName } from './process-specs.js';
import type { StartSystemOptions } from './types.js';

/** How many replicas of each service: a number for all, or per service; 1 where unsaid. */
export function replicaCounts(
  names: readonly ServiceName[],
  given: StartSystemOptions['replicas'],
): Record<ServiceName, number> {
  const out = {} as Record<ServiceName, number>;
  for (const name of names) {
    const n = typeof given === 'number' ? given : (given?.[name] ?? 1);
    if (!Number.isInteger(n) || n < 1 || n > 32)
      throw new SupervisorError('BAD_SETTING', `replicas of ${name}: ${n} (expected a whole number from 1 to 32)`);
    out[name] = n;
  }
  return out;
}

/**
 * Each replica's port: the one asked for (+ i − 1 for replica i), else the default. A
 * worker's default side port that is taken (a second system on this machine, say) is
 * swapped for a free one, since nothing outside needs to know it; a gateway's port is the
 * system's address, so a taken one stops the start with what to do.
 */
export async function servicePorts(
  names: readonly ServiceName[],
  counts: Record<ServiceName, number>,
  wanted: StartSystemOptions['ports'],
  env: NodeJS.ProcessEnv,
  sink: LogSink,
): Promise<Partial<Record<ServiceName, number[]>>> {
  const out: Partial<Record<ServiceName, number[]>> = {};
  const taken = (port: number, what: string) =>
    new SupervisorError(
      'PORT_IN_USE',
      `port ${port} (${what}) is in use (another npm start?): stop what holds it (\`ss -ltnp 'sport = :${port}'\` ` +
        `names it), or set PORT to another port`,
    );
  for (const name of names) {
    const fromEnv = name === 'gateway' && env.PORT ? Number(env.PORT) : undefined;
    const asked = wanted?.[name] ?? fromEnv;
    const ports: number[] = (out[name] = []);
    for (let i = 0; i < counts[name]; i++) {
      const label = replicaProcessName(name, i + 1, counts[name]);
      if (asked === 0) {
        ports.push(await freePort());
        continue;
      }
      if (asked !== undefined) {
        // A port asked for is the one the system is reached on: taken, it stops the start.
        const port = asked + i;
        if (!(await isPortFree(port)))
          throw taken(port, fromEnv === asked ? (i ? `PORT+${i}, ${label}` : 'PORT') : `${label}'s port`);
        ports.push(port);
        continue;
      }
      const port = DEFAULT_PORTS[name] + (name === 'gateway' ? i : REPLICA_PORT_STEP * i);
      if (await isPortFree(port)) {
        ports.push(port);
      } else if (name === 'gateway') {
        throw taken(port, i ? `${label}'s default` : "the gateway's default");
      } else {
        const free = await freePort();
        ports.push(free);
        sink.supervisor('info', `port ${port} is in use; ${label} serves /health /ready /metrics on ${free} instead`);
      }
    }
  }
  return out;
}
