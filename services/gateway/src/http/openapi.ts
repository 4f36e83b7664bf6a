import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify';
import { z } from 'zod';
import { errorResponse } from '@pixsim/contracts';
import { installLazyDocs } from './docs.js';
import { parseInput } from './validate.js';

/**
 * OpenAPI from the same zod schemas the handlers parse with. The schemas on a
 * route are documentation only: validation stays in `parseInput`, which gives
 * the contract's error shape with dotted field names, so fastify's validator is
 * a no-op and responses are serialised as plain JSON. The document and Swagger UI
 * are built on the first /docs request (docs.ts).
 */
export function installOpenApi(app: FastifyInstance): void {
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installLazyDocs(app);
}

const errorBody = errorResponse;

export type DocInput = {
  tags: string[];
  summary: string;
  body?: z.ZodType;
  querystring?: z.ZodType;
  params?: z.ZodType;
  headers?: z.ZodType;
  /** Routes that need no bearer token. */
  public?: boolean;
  /** Success status (or statuses, answered with the same body); 200 when absent. */
  ok?: number | number[];
  /** The success body (response-schemas.ts); none for 204. */
  response?: z.ZodType;
};

/** A route's `schema`: its inputs, tags and the shared error shape. */
export function doc(input: DocInput): FastifySchema {
  const { tags, summary, body, querystring, params, headers } = input;
  return {
    tags,
    summary,
    ...(body ? { body } : {}),
    ...(querystring ? { querystring } : {}),
    ...(params ? { params } : {}),
    ...(headers ? { headers } : {}),
    ...(input.public ? { security: [] } : {}),
    response: {
      ...Object.fromEntries(
        [input.ok ?? 200]
          .flat()
          .map((status) => [
            status,
            status === 204 ? z.null().describe('no content') : (input.response ?? z.unknown().describe('success')),
          ]),
      ),
      '4XX': errorBody,
      '5XX': errorBody,
    },
  } as FastifySchema;
}

export const idParams = z.object({ id: z.string().describe('id') });

/**
 * POST `url` that creates something: the body parsed by the schema that documents it, the
 * answer 201 with what `create` returns.
 */
export function createRoute<S extends z.ZodType>(
  app: FastifyInstance,
  url: string,
  spec: Omit<DocInput, 'body' | 'ok'> & { body: S },
  create: (body: z.infer<S>, request: FastifyRequest) => Promise<unknown>,
): void {
  app.post(url, { schema: doc({ ...spec, ok: 201 }) }, async (request, reply) =>
    reply.code(201).send(await create(parseInput(spec.body, request.body), request)),
  );
}
