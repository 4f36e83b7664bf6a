import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { AccountStore } from './accounts.js';
import type { SimCore } from './core.js';
import { ERR, fail } from './error-codes.js';
import { FaultInjector } from './faults.js';
import { GenerationStore, statusResp, type Generation } from './generations.js';
import { ImageStore } from './images.js';
import { operatorRoutes, type SimControl } from './operator-routes.js';
import { createRng, seededRng } from './random.js';
import { pixverseRoutes } from './routes.js';
import { SettleScheduler } from './settle-scheduler.js';
import { keepState, readState, restoreState } from './state.js';
import { StatsRecorder } from './stats.js';
import type { SimConfig, Simulator, SimulatorOptions } from './types.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

const DEFAULT_LATENCY_MS = 2000;
const DEFAULT_SLOT_RELEASE_MS = 10 * 60 * 1000;
const DEFAULT_STATE_INTERVAL_MS = 1000;

function webhookPayload(gen: Generation): Record<string, unknown> {
  const { id, url, ...rest } = statusResp(gen, gen.outcome);
  return url ? { video_id: id, url, ...rest } : { video_id: id, ...rest };
}

function buildApp(opts: SimulatorOptions): FastifyInstance {
  const app = opts.logger
    ? Fastify({ loggerInstance: opts.logger, forceCloseConnections: true })
    : Fastify({ logger: false, forceCloseConnections: true });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (req.url.startsWith('/__sim')) return reply.code(status).send({ error: err.message });
    if (status === 413)
      return reply.code(413).type('text/html').send('<html><body><h1>413 Request Entity Too Large</h1></body></html>');
    // A body the provider cannot bind is a business error in its envelope, like any other.
    if (status < 500) return reply.code(200).send(fail(ERR.BAD_TYPE, err.message));
    req.log.error({ err }, 'pixverse-sim internal error');
    return reply.code(200).send(fail(ERR.INTERNAL));
  });
  return app;
}

/** Starts a PixVerse simulator on loopback; see the README for what it mimics. */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  // Read before anything listens, so a state file it cannot use stops the start with its reason.
  const saved = opts.statePath ? await readState(opts.statePath) : undefined;
  const app = buildApp(opts);
  const config: SimConfig = {
    latencyMs: opts.latencyMs ?? DEFAULT_LATENCY_MS,
    slotReleaseMs: opts.slotReleaseMs ?? DEFAULT_SLOT_RELEASE_MS,
  };
  const now = (): number => Date.now();
  const accounts = new AccountStore();
  const stats = new StatsRecorder();
  const webhook = opts.webhook ? new WebhookDispatcher(opts.webhook, app.log) : undefined;
  const generations = new GenerationStore(accounts, (gen) => webhook?.enqueue(webhookPayload(gen)));
  const scheduler = new SettleScheduler(generations, now, webhook !== undefined);
  const faults = new FaultInjector(opts.faults, createRng(opts.seed), stats);
  const core: SimCore = {
    accounts,
    generations,
    images: new ImageStore(),
    stats,
    faults,
    webhook,
    config,
    seedRng: opts.seed === undefined ? Math.random : seededRng(opts.seed + 1),
    now,
    settle: () => scheduler.settle(),
  };
  if (saved) restoreState(core, saved);
  // Accounts given at start are added; one the state already has keeps its saved credits.
  for (const a of opts.accounts ?? []) if (!saved || !accounts.get(a.apiKey)) accounts.upsert(a);
  const state = opts.statePath
    ? keepState(core, opts.statePath, opts.stateIntervalMs ?? DEFAULT_STATE_INTERVAL_MS, (msg) => app.log.warn(msg))
    : undefined;
  const noWebhooks = { delivered: 0, failed: 0, attempts: 0, pending: 0 };
  const control: SimControl = {
    addAccount: (a) => void accounts.upsert(a),
    setFaults: (f) => faults.set(f),
    faults: () => faults.current(),
    configure: (c) => {
      if (c.latencyMs !== undefined) config.latencyMs = c.latencyMs;
      if (c.slotReleaseMs !== undefined) config.slotReleaseMs = c.slotReleaseMs;
      return { ...config };
    },
    stats: () => {
      core.settle();
      return stats.snapshot(accounts, webhook?.counters ?? noWebhooks);
    },
    reset: (o) => {
      generations.clear();
      core.images.clear();
      stats.clear();
      webhook?.clear();
      scheduler.disarm();
      if (o?.accounts) accounts.clear();
      else accounts.resetInFlight();
    },
  };

  await app.register(async (scope) => pixverseRoutes(scope, core));
  await app.register(async (scope) => operatorRoutes(scope, control));
  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  const host = opts.host ?? '127.0.0.1';
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    addAccount: control.addAccount,
    setFaults: (f) => void control.setFaults(f),
    configure: (c) => void control.configure(c),
    stats: control.stats,
    reset: control.reset,
    stop: async () => {
      scheduler.stop();
      faults.stop();
      webhook?.stop();
      await app.close();
      await state?.stop();
    },
  };
}
