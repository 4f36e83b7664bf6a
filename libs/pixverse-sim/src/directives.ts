/** Terminal statuses a generation can reach: 1 success, 6 deleted, 7 moderated, 8 failed. */
export type TerminalStatus = 1 | 6 | 7 | 8;

/**
 * What a prompt asks of the simulator, for deterministic tests:
 * `[sim:fail]` → status 8, `[sim:moderate]` → status 7 (refunded), `[sim:deleted]` → status 6,
 * `[sim:reject]` → ErrCode 500063 at submit, `[sim:delay=MS]` → that latency,
 * `[sim:error=CODE]` → that ErrCode at submit.
 */
export interface Directives {
  outcome: TerminalStatus;
  reject: boolean;
  delayMs?: number;
  errorCode?: number;
}

const DIRECTIVE = /\[sim:(fail|moderate|deleted|reject|delay=(\d+)|error=(\d+))\]/g;

export function parseDirectives(prompt: string): Directives {
  const d: Directives = { outcome: 1, reject: false };
  if (!prompt.includes('[sim:')) return d;
  for (const m of prompt.matchAll(DIRECTIVE)) {
    const [, word, delay, code] = m;
    if (word === 'fail') d.outcome = 8;
    else if (word === 'moderate') d.outcome = 7;
    else if (word === 'deleted') d.outcome = 6;
    else if (word === 'reject') d.reject = true;
    else if (delay !== undefined) d.delayMs = Number(delay);
    else if (code !== undefined) d.errorCode = Number(code);
  }
  return d;
}
