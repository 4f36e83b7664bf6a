import { createHmac } from 'node:crypto';
import type { CallbackSecretState, UserRecord } from '../identity/ports.js';

export interface CallbackSecretsOptions {
  /** CALLBACK_SECRET: the operator's root; every user's secret is derived from it. */
  root: string;
  /** CALLBACK_SECRET_PREVIOUS: during a change of root, deliveries are signed under both. */
  previousRoot?: string;
  /** How long a rotated-out secret still signs (CALLBACK_SECRET_GRACE_S). */
  graceS: number;
  clock: () => Date;
}

const INITIAL: CallbackSecretState = { version: 1, previous_version: null, previous_valid_until: null };

/**
 * Each user's callbacks are signed with a secret of their own, derived (not
 * stored): HMAC-SHA256(root, "pixsim-callback:<user id>:<version>"), shown as
 * `whsec_<base64url>`. Nothing secret sits in the database: the user record
 * keeps only which version is current, and the one before it while its grace
 * lasts. A user's secret cannot be computed without the root, and one user's
 * secret says nothing about another's, so no tenant can forge another's callbacks.
 */
export function createCallbackSecrets(o: CallbackSecretsOptions) {
  const derive = (root: string, userId: string, version: number) =>
    `whsec_${createHmac('sha256', root).update(`pixsim-callback:${userId}:${version}`).digest('base64url')}`;
  const stateOf = (user: Pick<UserRecord, 'callback_secret'>): CallbackSecretState => user.callback_secret ?? INITIAL;

  return {
    root: o.root,
    /** The user's current secret (GET /users/me/callback-secret). */
    current(user: Pick<UserRecord, '_id' | 'callback_secret'>): string {
      return derive(o.root, user._id, stateOf(user).version);
    },
    /** Every secret a delivery is signed with now: the current one, then one in its grace, under each root. */
    signingSecrets(user: Pick<UserRecord, '_id' | 'callback_secret'>): string[] {
      const state = stateOf(user);
      const versions = [state.version];
      if (
        state.previous_version !== null &&
        state.previous_valid_until &&
        new Date(state.previous_valid_until) > o.clock()
      )
        versions.push(state.previous_version);
      const roots = o.previousRoot ? [o.root, o.previousRoot] : [o.root];
      return roots.flatMap((root) => versions.map((v) => derive(root, user._id, v)));
    },
    /** The state after a rotation: a new version; the old one signs on until the grace ends. */
    rotated(user: Pick<UserRecord, 'callback_secret'>): CallbackSecretState {
      const state = stateOf(user);
      return {
        version: state.version + 1,
        previous_version: state.version,
        previous_valid_until: new Date(o.clock().getTime() + o.graceS * 1000),
      };
    },
  };
}

export type CallbackSecrets = ReturnType<typeof createCallbackSecrets>;
