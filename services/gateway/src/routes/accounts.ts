import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { accountStatusSchema, idSchema } from '@pixsim/contracts';
import type { AccountCommands } from '../accounts/account-commands.js';
import { addCreditsBodySchema, createAccountBodySchema, updateAccountBodySchema } from '../accounts/account-request.js';
import { NotFoundError } from '../http/errors.js';
import { decodeCursor, pageQueryShape, toPage } from '../http/pagination.js';
import { doc, idParams } from '../http/openapi.js';
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

  app.post(
    '/accounts',
    {
      schema: doc({
        tags: T,
        summary: 'add a provider account (admin)',
        body: createAccountBodySchema,
        ok: 201,
        response: accountResponse,
      }),
    },
    async (request, reply) => {
      const account = await deps.commands.create(parseInput(createAccountBodySchema, request.body));
      return reply.code(201).send(accountDto(account));
    },
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
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      const rows = await deps.accounts.list({ providerId: q.provider_id, status: q.status, limit: q.limit, after });
      return toPage(rows, q.limit, (r) => accountDto(r));
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
    {
      schema: doc({
        tags: T,
        summary: 'change an account (admin)',
        params: idParams,
        body: updateAccountBodySchema,
        ok: 202,
        response: accountResponse,
      }),
    },
    async (request, reply) => {
      const id = accountId(request.params.id);
      const account = await deps.commands.update(id, parseInput(updateAccountBodySchema, request.body));
      return reply.code(202).send(accountDto(account));
    },
  );

  app.delete<WithId>(
    '/accounts/:id',
    {
      schema: doc({
        tags: T,
        summary: 'delete an account (admin)',
        params: idParams,
        ok: 202,
        response: accountResponse,
      }),
    },
    async (request, reply) => {
      const account = await deps.commands.remove(accountId(request.params.id));
      return reply.code(202).send(accountDto(account));
    },
  );

  app.post<WithId>(
    '/accounts/:id/credits',
    {
      schema: doc({
        tags: T,
        summary: 'add credits (admin)',
        params: idParams,
        body: addCreditsBodySchema,
        ok: 202,
        response: accountResponse,
      }),
    },
    async (request, reply) => {
      const id = accountId(request.params.id);
      const { credits } = parseInput(addCreditsBodySchema, request.body);
      return reply.code(202).send(accountDto(await deps.commands.addCredits(id, credits)));
    },
  );
}
