import { PixsimError, type JobErrorCode } from '@pixsim/contracts';
import { ProviderError } from '@pixsim/providers';

/** What the dispatcher does after a refused submit. */
export type SubmitAction =
  | { do: 'cooldown'; ms: number; reason: string } // this account rests, try another
  | { do: 'exhausted'; reason: string } // this account is out of credits, try another
  | { do: 'account_error'; reason: string } // this account's key is refused, try another
  | { do: 'fail'; code: JobErrorCode; message: string } // the job cannot succeed
  | { do: 'retry'; reason: string } // provider hiccup: back off, count a try
  | { do: 'pause'; reason: string }; // breaker open: wait, do not count a try

export function decideSubmitAction(err: unknown, cooldownMs: number): SubmitAction {
  // The account's key cannot be opened here (its key left PIXSIM_SECRET_KEY, or the seal is
  // damaged): no retry will open it, so the account is set aside and the job goes on without it.
  if (err instanceof PixsimError && err.code.startsWith('SECRET_')) {
    return {
      do: 'account_error',
      reason: `${err.message} and set the account ACTIVE (PATCH /api/v1/accounts/{id}), or PATCH its api_key again`,
    };
  }
  if (!(err instanceof ProviderError)) return { do: 'retry', reason: (err as Error)?.message ?? String(err) };
  const reason = `${err.kind}: ${err.message}`;
  switch (err.kind) {
    case 'concurrency_limit':
    case 'rate_limited':
      return { do: 'cooldown', ms: err.retryAfterMs ?? cooldownMs, reason };
    case 'insufficient_credits':
      return { do: 'exhausted', reason };
    case 'account_invalid':
    case 'account_forbidden':
      return { do: 'account_error', reason };
    case 'invalid_params':
      return { do: 'fail', code: 'INVALID_PARAMS', message: err.message };
    case 'moderation':
      return { do: 'fail', code: 'PROVIDER_MODERATION', message: err.message };
    case 'circuit_open':
      return { do: 'pause', reason };
    default:
      return { do: 'retry', reason };
  }
}
