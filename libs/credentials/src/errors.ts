import { PixsimError } from '@pixsim/contracts';

/** Codes start with SECRET_: the dispatcher and the poller recognise a credential problem by that prefix. */
export type CredentialErrorCode = 'SECRET_KEY_INVALID' | 'SECRET_KEY_UNKNOWN' | 'SECRET_UNREADABLE';

export class CredentialError extends PixsimError {
  constructor(code: CredentialErrorCode, message: string) {
    super(code, message, { retryable: false });
  }
}
