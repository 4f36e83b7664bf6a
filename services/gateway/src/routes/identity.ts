import type { FastifyInstance } from 'fastify';
import { idSchema } from '@pixsim/contracts';
import { principalOf } from '../auth/bearer-auth.js';
import { NotFoundError } from '../http/errors.js';
import { createRoute, doc, idParams } from '../http/openapi.js';
import { apiKeyListResponse, newApiKeyResponse, tokenResponse, userResponse } from '../http/response-schemas.js';
import { parseInput } from '../http/validate.js';
import { createApiKeyBodySchema, loginBodySchema, registerBodySchema } from '../identity/identity-request.js';
import { userDto, type IdentityService } from '../identity/identity-service.js';

type WithId = { Params: { id: string } };
const TAGS = ['auth'];

/** Registration and login need no token; the caller registers them outside the bearer scope. */
export function registerPublicAuthRoutes(app: FastifyInstance, deps: { identity: IdentityService }): void {
  createRoute(
    app,
    '/auth/register',
    { tags: TAGS, summary: 'create a user', body: registerBodySchema, public: true, response: userResponse },
    async (body) => userDto(await deps.identity.register(body)),
  );
  app.post(
    '/auth/login',
    {
      schema: doc({
        tags: TAGS,
        summary: 'get an access token',
        body: loginBodySchema,
        public: true,
        response: tokenResponse,
      }),
    },
    async (request) => deps.identity.login(parseInput(loginBodySchema, request.body)),
  );
}

export function registerSessionRoutes(app: FastifyInstance, deps: { identity: IdentityService }): void {
  app.post(
    '/auth/logout',
    { schema: doc({ tags: TAGS, summary: 'revoke this access token', ok: 204 }) },
    async (request, reply) => {
      await deps.identity.logout(principalOf(request));
      return reply.code(204).send();
    },
  );
  app.get(
    '/users/me',
    { schema: doc({ tags: TAGS, summary: 'the caller', response: userResponse }) },
    async (request) => deps.identity.me(principalOf(request)),
  );

  const keyTags = ['api-keys'];
  createRoute(
    app,
    '/api-keys',
    {
      tags: keyTags,
      summary: 'create an API key (shown once)',
      body: createApiKeyBodySchema,
      response: newApiKeyResponse,
    },
    async ({ name }, request) => deps.identity.createApiKey(principalOf(request), name),
  );
  app.get(
    '/api-keys',
    { schema: doc({ tags: keyTags, summary: "the caller's active API keys", response: apiKeyListResponse }) },
    async (request) => ({ items: await deps.identity.listApiKeys(principalOf(request)) }),
  );
  app.delete<WithId>(
    '/api-keys/:id',
    { schema: doc({ tags: keyTags, summary: 'revoke an API key', params: idParams, ok: 204 }) },
    async (request, reply) => {
      const { id } = request.params;
      if (!idSchema.safeParse(id).success) throw new NotFoundError('api key', '(invalid id)');
      await deps.identity.revokeApiKey(principalOf(request), id);
      return reply.code(204).send();
    },
  );
}
