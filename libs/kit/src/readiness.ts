import { errorMessage } from './errors.js';

/** Resolves when the dependency answers; rejects (or hangs) when it does not. */
export type ReadinessCheck = () => Promise<unknown>;
export type ReadinessChecks = Record<string, ReadinessCheck>;

export interface ReadinessFailure {
  dependency: string;
  status: 'down' | 'timeout';
  reason: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'ok' | 'down' | 'timeout'>;
  failures: ReadinessFailure[];
}

export const DEFAULT_READY_TIMEOUT_MS = 2_000;

/** Runs every check in parallel; a check slower than `timeoutMs` counts as down. */
export async function runReadiness(
  checks: ReadinessChecks,
  timeoutMs = DEFAULT_READY_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const entries = Object.entries(checks);
  const outcomes = await Promise.all(entries.map(([name, check]) => runOne(name, check, timeoutMs)));
  const report: ReadinessReport = { ready: true, checks: {}, failures: [] };
  for (const [i, [name]] of entries.entries()) {
    const failure = outcomes[i];
    report.checks[name] = failure ? failure.status : 'ok';
    if (failure) {
      report.ready = false;
      report.failures.push(failure);
    }
  }
  return report;
}

async function runOne(name: string, check: ReadinessCheck, timeoutMs: number): Promise<ReadinessFailure | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadinessFailure>((resolve) => {
    timer = setTimeout(
      () => resolve({ dependency: name, status: 'timeout', reason: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  const attempt = Promise.resolve()
    .then(check)
    .then(
      () => undefined,
      (err: unknown): ReadinessFailure => ({ dependency: name, status: 'down', reason: errorMessage(err) }),
    );
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a probe's answer may show: the dependency and its state, never the driver's text. */
export function publicFailures(
  failures: readonly ReadinessFailure[],
): { dependency: string; status: 'down' | 'timeout' }[] {
  return failures.map(({ dependency, status }) => ({ dependency, status }));
}

/**
 * For logs only (the reason can carry hosts and users): `mongodb is not reachable: connect ECONNREFUSED …;
 * redis is not reachable: …`
 */
export function describeFailures(failures: readonly ReadinessFailure[]): string {
  return failures.map((f) => `${f.dependency} is not reachable: ${f.reason}`).join('; ');
}
