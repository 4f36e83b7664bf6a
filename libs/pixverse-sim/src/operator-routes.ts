import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { faultConfigSchema } from './faults.js';
import { keyId } from './key-id.js';
import type { AccountSpec, FaultConfig, SimConfig, SimStats } from './types.js';

/** What the operator endpoints drive; the programmatic `Simulator` offers the same. */
export interface SimControl {
  addAccount(account: AccountSpec): void;
  setFaults(faults: Partial<FaultConfig>): FaultConfig;
  faults(): FaultConfig;
  configure(config: Partial<SimConfig>): SimConfig;
  stats(): SimStats;
  reset(opts?: { accounts?: boolean }): void;
}

const accountBody = z.object({
  api_key: z.string().min(1),
  credits: z.number().int().min(0),
  max_concurrent: z.number().int().min(0),
});
const resetBody = z.object({ accounts: z.boolean().optional() }).optional();
const configBody = z.object({
  latency_ms: z.number().int().min(0).optional(),
  slot_release_ms: z.number().int().min(0).optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): { ok: true; value: T } | { ok: false; error: string } {
  const r = schema.safeParse(body);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: z.prettifyError(r.error) };
}

/** Endpoints under /__sim for tests and operators; not part of PixVerse, never faulted. */
export async function operatorRoutes(app: FastifyInstance, sim: SimControl): Promise<void> {
  app.get('/__sim/stats', async () => sim.stats());

  app.post('/__sim/accounts', async (req, reply) => {
    const r = parse(accountBody, req.body);
    if (!r.ok) return reply.code(400).send({ error: r.error });
    const { api_key, credits, max_concurrent } = r.value;
    sim.addAccount({ apiKey: api_key, credits, maxConcurrent: max_concurrent });
    return { key_id: keyId(api_key), credits, max_concurrent };
  });

  app.get('/__sim/faults', async () => sim.faults());
  app.post('/__sim/faults', async (req, reply) => {
    const r = parse(faultConfigSchema, req.body ?? {});
    if (!r.ok) return reply.code(400).send({ error: r.error });
    return sim.setFaults(r.value as Partial<FaultConfig>);
  });

  app.post('/__sim/config', async (req, reply) => {
    const r = parse(configBody, req.body ?? {});
    if (!r.ok) return reply.code(400).send({ error: r.error });
    const patch: Partial<SimConfig> = {};
    if (r.value.latency_ms !== undefined) patch.latencyMs = r.value.latency_ms;
    if (r.value.slot_release_ms !== undefined) patch.slotReleaseMs = r.value.slot_release_ms;
    const c = sim.configure(patch);
    return { latency_ms: c.latencyMs, slot_release_ms: c.slotReleaseMs };
  });

  app.post('/__sim/reset', async (req, reply) => {
    const r = parse(resetBody, req.body ?? undefined);
    if (!r.ok) return reply.code(400).send({ error: r.error });
    sim.reset(r.value);
    return { ok: true };
  });
}
