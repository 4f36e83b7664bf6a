import type { Principal } from './principal.js';

/** Admins see everything; a user sees their own (others' things answer 404, not 403). */
export const canSee = (principal: Principal, ownerId: string | null): boolean =>
  principal.role === 'admin' || (ownerId !== null && ownerId === principal.userId);

/** The owner filter of a list: none for admins. */
export const ownerFilter = (principal: Principal): string | undefined =>
  principal.role === 'admin' ? undefined : principal.userId;
