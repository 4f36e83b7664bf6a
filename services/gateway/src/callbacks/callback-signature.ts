// The signature scheme is the clients' as much as ours: it lives in the contracts.
export { signCallback, verifyCallback } from '@pixsim/contracts';
