import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../http/errors.js';
import type { Authenticator, Principal, Role } from './principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the bearer hook on every route under it; null only before it ran. */
    principal: Principal | null;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * An onRequest hook on `app` (an encapsulated scope: the ops routes live outside
 * it and need no token). 401 with the error shape when the token is missing or
 * unknown to every authenticator.
 */
export function installBearerAuth(app: FastifyInstance, authenticators: readonly Authenticator[]): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) throw new UnauthorizedError('missing bearer token: send Authorization: Bearer <token>');
    for (const authenticate of authenticators) {
      const principal = await authenticate(match[1]!);
      if (principal) {
        request.principal = principal;
        return;
      }
    }
    throw new UnauthorizedError('invalid bearer token');
  });
}

/** The caller, for handlers under the bearer hook. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError();
  return request.principal;
}

/** A preHandler for routes only some roles may call. */
export function requireRole(role: Role) {
  return async (request: FastifyRequest): Promise<void> => {
    if (principalOf(request).role !== role) throw new ForbiddenError(`this route needs the ${role} role`);
  };
}
