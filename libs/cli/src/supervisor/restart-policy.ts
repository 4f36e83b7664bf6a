/** When and how fast a dead child comes back. */
export interface RestartPolicy {
  /** Restart children that exit on their own (default true). */
  enabled: boolean;
  /** First delay; doubles per consecutive crash (default 1000). */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A child that ran this long before dying starts again from the first delay (default 10 s). */
  stableAfterMs: number;
  /** Exit codes that no restart can fix: 78 is EX_CONFIG, a bad environment. */
  giveUpExitCodes: readonly number[];
  /** A child that never became ready is abandoned after this many crashes in a row. */
  maxCrashesBeforeReady: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  enabled: true,
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  stableAfterMs: 10_000,
  giveUpExitCodes: [78],
  maxCrashesBeforeReady: 5,
};

export function restartDelay(policy: RestartPolicy, consecutiveCrashes: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, consecutiveCrashes - 1));
}

/** "1s", "2.5s", "250ms": as the operator reads it in "restarting in 1s". */
export function formatDelay(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  return `${Number((ms / 1_000).toFixed(1))}s`;
}
