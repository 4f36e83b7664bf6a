import type { FastifyInstance } from 'fastify';
import { idSchema } from '@pixsim/contracts';
import { principalOf } from '../auth/bearer-auth.js';
import { NotFoundError } from '../http/errors.js';
import { createRoute, doc, idParams } from '../http/openapi.js';
import {
  adminUserPageResponse,
  adminUserResponse,
  callbackSecretResponse,
  newAdminUserResponse,
  rotatedCallbackSecretResponse,
  usageResponse,
} from '../http/response-schemas.js';
import { parseInput } from '../http/validate.js';
import { createUserBodySchema, updateUserBodySchema, userListQuerySchema } from '../identity/identity-request.js';
import type { UserAdmin } from '../users/user-admin.js';

type WithId = { Params: { id: string } };

/** The caller's own usage and callback secret. */
export function registerUserSelfRoutes(app: FastifyInstance, deps: { users: UserAdmin }): void {
  const tags = ['auth'];
  app.get(
    '/users/me/usage',
    { schema: doc({ tags, summary: "the caller's quotas and what is used of them", response: usageResponse }) },
    async (request) => deps.users.usage(principalOf(request)),
  );
  app.get(
    '/users/me/callback-secret',
    {
      schema: doc({
        tags: ['callbacks'],
        summary: "the secret the caller's callbacks are signed with",
        response: callbackSecretResponse,
      }),
    },
    async (request) => deps.users.callbackSecret(principalOf(request)),
  );
  app.post(
    '/users/me/callback-secret/rotate',
    {
      schema: doc({
        tags: ['callbacks'],
        summary: 'a new callback secret; the old one still signs (a second v1=) until previous_valid_until',
        response: rotatedCallbackSecretResponse,
      }),
    },
    async (request) => deps.users.rotateCallbackSecret(principalOf(request)),
  );
}

/** User administration (admin only; the caller scopes the role check). */
export function registerUserAdminRoutes(app: FastifyInstance, deps: { users: UserAdmin }): void {
  const tags = ['admin'];
  const checkId = (id: string) => {
    if (!idSchema.safeParse(id).success) throw new NotFoundError('user', '(invalid id)');
    return id;
  };
  app.get(
    '/admin/users',
    {
      schema: doc({
        tags,
        summary: 'users, newest first; q matches an email prefix or an id (admin)',
        querystring: userListQuerySchema,
        response: adminUserPageResponse,
      }),
    },
    async (request) => deps.users.list(parseInput(userListQuerySchema, request.query)),
  );
  app.get<WithId>(
    '/admin/users/:id',
    {
      schema: doc({
        tags,
        summary: 'one user, with quotas and usage (admin)',
        params: idParams,
        response: adminUserResponse,
      }),
    },
    async (request) => deps.users.get(checkId(request.params.id)),
  );
  createRoute(
    app,
    '/admin/users',
    {
      tags,
      summary: 'create a user; without a password one is generated and shown once (admin)',
      body: createUserBodySchema,
      response: newAdminUserResponse,
    },
    (body) => deps.users.create(body),
  );
  app.patch<WithId>(
    '/admin/users/:id',
    {
      schema: doc({
        tags,
        summary: 'disable or enable, cancel waiting jobs, set the role or quota overrides (admin)',
        params: idParams,
        body: updateUserBodySchema,
        response: adminUserResponse,
      }),
    },
    async (request) => deps.users.update(checkId(request.params.id), parseInput(updateUserBodySchema, request.body)),
  );
}
