import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { SimCore } from './core.js';
import type { Generation } from './generations.js';
import type { GenerationParams } from './params.js';

/**
 * What the simulator keeps across restarts when it has a state file: accounts with
 * their credits, generations (finished or not), uploaded images and the trace ids
 * of accepted submits. The real provider forgets none of these when a client
 * restarts, so a local system that is stopped mid-job finds its generations again.
 */

/** Finished generations older than this are not kept: nobody polls them any more. */
const KEEP_FINISHED_MS = 7 * 24 * 3600 * 1000;
/** The newest trace ids kept; older ones are past any client's retry. */
const KEEP_TRACE_IDS = 100_000;

const generationSchema = z.object({
  id: z.number().int().positive(),
  apiKey: z.string().min(1),
  params: z.record(z.string(), z.unknown()).refine((p) => typeof p.prompt === 'string', 'params.prompt is missing'),
  seed: z.number().int(),
  cost: z.number(),
  createdAt: z.number(),
  // JSON has no Infinity: null is a generation that never finishes.
  doneAt: z.number().nullable(),
  slotReleaseAt: z.number(),
  outcome: z.union([z.literal(1), z.literal(6), z.literal(7), z.literal(8)]),
  width: z.number().int(),
  height: z.number().int(),
  size: z.number().int(),
  slotHeld: z.boolean(),
  settled: z.boolean(),
});

const stateSchema = z.object({
  v: z.literal(1),
  savedAt: z.number(),
  accounts: z.array(
    z.object({
      apiKey: z.string().min(1),
      accountId: z.number().int(),
      credits: z.number(),
      maxConcurrent: z.number().int().min(0),
    }),
  ),
  generations: z.array(generationSchema),
  nextGenerationId: z.number().int().positive(),
  images: z.object({ ids: z.array(z.number().int()), nextId: z.number().int().positive() }),
  traceIds: z.array(z.string()),
});

export type SavedState = z.infer<typeof stateSchema>;

/** A state file that exists but cannot be used; the message says which and what to do. */
class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

function captureState(core: SimCore): SavedState {
  const now = core.now();
  const generations: SavedState['generations'] = [];
  for (const g of core.generations.all()) {
    if (g.settled && now - g.doneAt > KEEP_FINISHED_MS) continue;
    generations.push({ ...g, params: { ...g.params }, doneAt: Number.isFinite(g.doneAt) ? g.doneAt : null });
  }
  return {
    v: 1,
    savedAt: now,
    accounts: [...core.accounts.all()].map(({ apiKey, accountId, credits, maxConcurrent }) => ({
      apiKey,
      accountId,
      credits,
      maxConcurrent,
    })),
    generations,
    nextGenerationId: core.generations.nextGenerationId,
    images: core.images.saved(),
    traceIds: core.stats.knownTraceIds().slice(-KEEP_TRACE_IDS),
  };
}

export function restoreState(core: SimCore, state: SavedState): void {
  for (const account of state.accounts) core.accounts.restore(account);
  core.generations.restore(
    state.generations.map(
      (g): Generation => ({ ...g, params: g.params as unknown as GenerationParams, doneAt: g.doneAt ?? Infinity }),
    ),
    state.nextGenerationId,
  );
  core.images.restore(state.images);
  core.stats.rememberTraceIds(state.traceIds);
  core.settle();
}

/** The saved state, or undefined when there is no file yet. */
export async function readState(file: string): Promise<SavedState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(`cannot read the simulator state ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(
      `the simulator state ${file} is not JSON (${(err as Error).message}); delete it to start with a fresh simulator`,
    );
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StateFileError(
      `the simulator state ${file} does not hold a state this version can read (${issue.path.join('.') || '(root)'}: ${issue.message}); ` +
        'delete it to start with a fresh simulator',
    );
  }
  return parsed.data;
}

/** Writes then renames, so a process killed mid-write leaves the previous state whole. */
async function writeState(file: string, state: SavedState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state), { mode: 0o600 }); // it holds the accounts' API keys
  await rename(tmp, file);
}

export interface StateKeeper {
  /** Writes the state now if it changed since the last write; never throws. */
  save(): Promise<void>;
  /** Stops the periodic writes and writes a last time. */
  stop(): Promise<void>;
}

/**
 * Writes the state every `intervalMs` when it changed, and once more on stop, so
 * even a simulator killed with SIGKILL loses at most one interval of changes.
 */
export function keepState(core: SimCore, file: string, intervalMs: number, warn: (msg: string) => void): StateKeeper {
  let written = '';
  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    saving = saving.then(async () => {
      // savedAt changes on every capture: compare the rest.
      const state = captureState(core);
      const key = JSON.stringify({ ...state, savedAt: 0 });
      if (key === written) return;
      try {
        await writeState(file, state);
        written = key;
      } catch (err) {
        warn(`pixverse-sim: could not write its state to ${file}: ${(err as Error).message}`);
      }
    });
    return saving;
  };
  const timer = setInterval(() => void save(), intervalMs);
  timer.unref();
  return {
    save,
    async stop() {
      clearInterval(timer);
      await save();
    },
  };
}
