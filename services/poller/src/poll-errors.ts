import { PixsimError } from '@pixsim/contracts';
import { isProviderError } from '@pixsim/providers';

/** The label of a failed poll in logs and in pixsim_poll_errors_total{kind}. */
export function errorKind(err: unknown): string {
  if (isProviderError(err)) return err.kind;
  if (err instanceof PixsimError && err.code.startsWith('SECRET_')) return 'credential';
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timeout';
  return 'unexpected';
}

export function describeError(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
