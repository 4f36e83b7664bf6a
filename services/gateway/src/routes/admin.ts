import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { EVENT_TYPES } from '@pixsim/contracts';
import type { DeadLetter } from '@pixsim/bus';
import type { BusAdmin } from '../bus-admin.js';
import { doc } from '../http/openapi.js';
import { pageQueryShape } from '../http/pagination.js';
import { deadLetterPageResponse, replayResponse, streamsResponse } from '../http/response-schemas.js';
import { parseInput } from '../http/validate.js';

const replayParamsSchema = z.object({ type: z.enum(EVENT_TYPES) });
const U64_MAX = 2n ** 64n - 1n;
/** A stream entry id `ms-seq`: Redis refuses a part above 2^64-1, which would come back as a 500. */
const streamId = (message: string) =>
  z
    .string()
    .regex(/^\d{1,20}-\d{1,20}$/, { message, abort: true })
    .refine((id) => id.split('-').every((part) => BigInt(part) <= U64_MAX), message);
const CURSOR = 'not a cursor this API returned (a dead letter id)';
const deadLetterQuerySchema = z.object({
  limit: pageQueryShape.limit,
  // An exclusive start: Redis refuses `(` before the largest id, and no page could follow it.
  cursor: streamId(CURSOR)
    .refine((id) => id !== `${U64_MAX}-${U64_MAX}`, CURSOR)
    .optional(),
});
const replayBodySchema = z
  .strictObject({
    ids: z.array(streamId('a stream entry id')).min(1).max(1000).optional(),
    count: z.number().int().min(1).max(10_000).optional(),
  })
  .default({});

/** Operations (admin only; the caller scopes the role check). */
export function registerAdminRoutes(app: FastifyInstance, deps: { bus: BusAdmin }): void {
  app.get(
    '/admin/streams',
    {
      schema: doc({ tags: ['admin'], summary: 'stream, group and DLQ statistics (admin)', response: streamsResponse }),
    },
    async () => {
      const stats = await deps.bus.stats();
      return {
        streams: stats.map((s) => ({
          type: s.type,
          stream: s.stream,
          length: s.length,
          dlq_length: s.deadLetters,
          partitions: s.partitions.length,
          missing: s.missing,
          over_budget: s.overBudget,
          groups: s.groups.map((g) => ({
            group: g.group,
            consumers: g.consumers,
            lag: g.lag,
            pending: g.pending,
            oldest_pending_ms: g.oldestPendingMs,
            missing: g.missing,
          })),
        })),
      };
    },
  );

  app.get<{ Params: { type: string } }>(
    '/admin/dlq/:type',
    {
      schema: doc({
        tags: ['admin'],
        summary: 'dead-lettered entries of one event type, oldest first, with why (admin)',
        params: replayParamsSchema,
        querystring: deadLetterQuerySchema,
        response: deadLetterPageResponse,
      }),
    },
    async (request) => {
      const { type } = parseInput(replayParamsSchema, request.params);
      const q = parseInput(deadLetterQuerySchema, request.query);
      const letters = await deps.bus.deadLetters(type, { count: q.limit + 1, after: q.cursor });
      const items = letters.slice(0, q.limit).map(deadLetterDto);
      return { type, items, next_cursor: letters.length > q.limit ? items.at(-1)!.id : null };
    },
  );

  app.post<{ Params: { type: string } }>(
    '/admin/dlq/:type/replay',
    {
      schema: doc({
        tags: ['admin'],
        summary: 're-publish dead-lettered entries (admin)',
        params: replayParamsSchema,
        body: replayBodySchema,
        response: replayResponse,
      }),
    },
    async (request) => {
      const { type } = parseInput(replayParamsSchema, request.params);
      const body = parseInput(replayBodySchema, request.body ?? undefined);
      const { replayed } = await deps.bus.replay(type, body);
      return { type, replayed };
    },
  );
}

/** A dead letter as the API shows it: why it was set aside, and the entry as it was. */
function deadLetterDto(d: DeadLetter) {
  return {
    id: d.dlqId,
    event_id: d.fields.id ?? null,
    event_type: d.fields.type ?? null,
    group: d.group,
    consumer: d.consumer,
    code: d.code,
    reason: d.reason,
    deliveries: d.deliveries,
    source_id: d.sourceId,
    dead_at: d.at || null,
    fields: d.fields,
  };
}
