import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { accountStatusSchema, idSchema } from '@pixsim/contracts';
import type { AccountCommands } from '../accounts/account-commands.js';
import { addCreditsBodySchema, createAccountBodySchema, updateAccountBodySchema } from '../accounts/account-request.js';
import { NotFoundError } from '../http/errors.js';
import { listPage, pageQueryShape } from '../http/pagination.js';
import { createRoute, doc, idParams } from '../http/openapi.js';
import { accountResponse, pageOf } from '../http/response-schemas.js';
import { parseInput } from '../http/validate.js';
import { accountDto } from '../read-model/dto.js';
import type { AccountStore } from '../store/ports.js';

const listQuerySchema = z.object({
  provider_id: z.string().min(1).max(64).optional(),
  status: accountStatusSchema.optional(),
  ...pageQueryShape,
});

type WithId = { Params: { id: string } };
const T = ['accounts'];

/** Provider accounts (admin only; the caller scopes the role check). Changes are commands: 202. */
export function registerAccountRoutes(
  app: FastifyInstance,
  deps: { accounts: AccountStore; commands: AccountCommands },
): void {
  const accountId = (raw: string): string => {
    if (!idSchema.safeParse(raw).success) throw new NotFoundError('account', raw);
    return raw;
  };

  /** A change to one account: a command, answered 202 with the account as it will be. */
  const command = (summary: string, body?: z.ZodType) => ({
    schema: doc({ tags: T, summary, params: idParams, ...(body ? { body } : {}), ok: 202, response: accountResponse }),
  });

  createRoute(
    app,
    '/accounts',
    { tags: T, summary: 'add a provider account (admin)', body: createAccountBodySchema, response: accountResponse },
    async (body) => accountDto(await deps.commands.create(body)),
  );

  app.get(
    '/accounts',
    {
      schema: doc({
        tags: T,
        summary: 'list provider accounts (admin)',
        querystring: listQuerySchema,
        response: pageOf(accountResponse),
      }),
    },
    async (request) => {
      const q = parseInput(listQuerySchema, request.query);
      const filter = { providerId: q.provider_id, status: q.status };
      return listPage(
        q,
        (range) => deps.accounts.list({ ...filter, ...range }),
        (r) => accountDto(r),
      );
    },
  );

  app.get<WithId>(
    '/accounts/:id',
    { schema: doc({ tags: T, summary: 'one provider account (admin)', params: idParams, response: accountResponse }) },
    async (request) => {
      const account = await deps.accounts.get(accountId(request.params.id));
      if (!account) throw new NotFoundError('account', request.params.id);
      return accountDto(account);
    },
  );

  app.patch<WithId>(
    '/accounts/:id',
    command('change an account (admin)', updateAccountBodySchema),
    async (request, reply) => {
      const id = accountId(request.params.id);
      const account = await deps.commands.update(id, parseInput(updateAccountBodySchema, request.body));
      return reply.code(202).send(accountDto(account));
    },
  );

  app.delete<WithId>('/accounts/:id', command('delete an account (admin)'), async (request, reply) => {
    const account = await deps.commands.remove(accountId(request.params.id));
    return reply.code(202).send(accountDto(account));
  });

  app.post<WithId>(
    '/accounts/:id/credits',
    command('add credits (admin)', addCreditsBodySchema),
    async (request, reply) => {
      const id = accountId(request.params.id);
      const { credits } = parseInput(addCreditsBodySchema, request.body);
      return reply.code(202).send(accountDto(await deps.commands.addCredits(id, credits)));
    },
  );
}
