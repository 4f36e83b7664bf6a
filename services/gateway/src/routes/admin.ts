import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { EVENT_TYPES } from '@pixsim/contracts';
import type { BusAdmin } from '../bus-admin.js';
import { doc } from '../http/openapi.js';
import { parseInput } from '../http/validate.js';

const replayParamsSchema = z.object({ type: z.enum(EVENT_TYPES) });
const replayBodySchema = z
  .strictObject({ ids: z.array(z.string().regex(/^\d+-\d+$/, 'a stream entry id')).min(1).max(1000).optional(), count: z.number().int().min(1).max(10_000).optional() })
  .default({});

/** Operations (admin only; the caller scopes the role check). */
export function registerAdminRoutes(app: FastifyInstance, deps: { bus: BusAdmin }): void {
  app.get('/admin/streams', { schema: doc({ tags: ['admin'], summary: 'stream, group and DLQ statistics (admin)' }) }, async () => {
    const stats = await deps.bus.stats();
    return {
      streams: stats.map((s) => ({
        type: s.type, stream: s.stream, length: s.length, dlq_length: s.deadLetters,
        groups: s.groups.map((g) => ({
          group: g.group, consumers: g.consumers, lag: g.lag, pending: g.pending, oldest_pending_ms: g.oldestPendingMs,
        })),
      })),
    };
  });

  app.post<{ Params: { type: string } }>('/admin/dlq/:type/replay', {
    schema: doc({ tags: ['admin'], summary: 're-publish dead-lettered entries (admin)', params: replayParamsSchema, body: replayBodySchema }),
  }, async (request) => {
    const { type } = parseInput(replayParamsSchema, request.params);
    const body = parseInput(replayBodySchema, request.body ?? undefined);
    const { replayed } = await deps.bus.replay(type, body);
    return { type, replayed };
  });
}
