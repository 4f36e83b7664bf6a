import type { Account, AccountStore } from './accounts.js';
import type { TerminalStatus } from './directives.js';
import { MinHeap } from './min-heap.js';
import { outputSize, type GenerationParams } from './params.js';

export const MEDIA_BASE = 'https://media.pixverse.sim';

export interface Generation {
  id: number;
  apiKey: string;
  params: GenerationParams;
  seed: number;
  cost: number;
  createdAt: number;
  /** When the generation leaves status 5; Infinity when it never does. */
  doneAt: number;
  /** When the provider frees its concurrency slot even if it is still generating. */
  slotReleaseAt: number;
  outcome: TerminalStatus;
  width: number;
  height: number;
  size: number;
  slotHeld: boolean;
  settled: boolean;
}

export interface NewGeneration {
  account: Account;
  params: GenerationParams;
  seed: number;
  cost: number;
  outcome: TerminalStatus;
  now: number;
  latencyMs: number;
  slotReleaseMs: number;
}

interface DueEvent {
  at: number;
  id: number;
  kind: 'done' | 'slot';
}

/**
 * Generations by id. No timer per generation: status is computed from timestamps on
 * read, and side effects of time passing (slot release, refund, webhook) happen in
 * `settle(now)`, which drains a min-heap of due events.
 */
export class GenerationStore {
  private readonly byId = new Map<number, Generation>();
  private readonly due = new MinHeap<DueEvent>();
  private nextId = 300_000_000_001;

  constructor(
    private readonly accounts: AccountStore,
    private readonly onTerminal: (gen: Generation) => void,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  create(g: NewGeneration): Generation {
    const { width, height } = outputSize(g.params.quality, g.params.aspect_ratio);
    const gen: Generation = {
      id: this.nextId++,
      apiKey: g.account.apiKey,
      params: g.params,
      seed: g.seed,
      cost: g.cost,
      createdAt: g.now,
      doneAt: g.now + g.latencyMs,
      slotReleaseAt: g.now + g.slotReleaseMs,
      outcome: g.outcome,
      width,
      height,
      size: Math.round(width * height * g.params.duration * 0.6),
      slotHeld: true,
      settled: false,
    };
    this.track(gen);
    return gen;
  }

  /** Every generation, oldest first: what a state file keeps. */
  all(): IterableIterator<Generation> {
    return this.byId.values();
  }

  /** The id the next generation gets. */
  get nextGenerationId(): number {
    return this.nextId;
  }

  /**
   * Takes back generations from a state file: one still generating holds its slot
   * again and finishes at its own time; one that came due while the simulator was
   * down settles at the next call.
   */
  restore(generations: Iterable<Generation>, nextId: number): void {
    for (const gen of generations) this.track(gen);
    this.nextId = Math.max(this.nextId, nextId);
  }

  private track(gen: Generation): void {
    this.byId.set(gen.id, gen);
    if (gen.id >= this.nextId) this.nextId = gen.id + 1;
    if (gen.settled) return;
    if (gen.slotHeld) {
      const account = this.accounts.get(gen.apiKey);
      if (account) account.inFlight++;
      if (gen.slotReleaseAt < gen.doneAt) this.due.push({ at: gen.slotReleaseAt, id: gen.id, kind: 'slot' });
    }
    if (Number.isFinite(gen.doneAt)) this.due.push({ at: gen.doneAt, id: gen.id, kind: 'done' });
  }

  get(id: number): Generation | undefined {
    return this.byId.get(id);
  }

  statusOf(gen: Generation, now: number): TerminalStatus | 5 {
    return now >= gen.doneAt ? gen.outcome : 5;
  }

  nextDueAt(): number | undefined {
    return this.due.peek()?.at;
  }

  /** Applies everything due by `now`; cheap when nothing is. */
  settle(now: number): void {
    for (let ev = this.due.peek(); ev !== undefined && ev.at <= now; ev = this.due.peek()) {
      this.due.pop();
      const gen = this.byId.get(ev.id);
      if (!gen) continue;
      this.releaseSlot(gen);
      if (ev.kind === 'done') this.finish(gen);
    }
  }

  clear(): void {
    this.byId.clear();
    this.due.clear();
  }

  private releaseSlot(gen: Generation): void {
    if (!gen.slotHeld) return;
    gen.slotHeld = false;
    const account = this.accounts.get(gen.apiKey);
    if (account && account.inFlight > 0) account.inFlight--;
  }

  private finish(gen: Generation): void {
    if (gen.settled) return;
    gen.settled = true;
    // The provider refunds generations refused by moderation.
    if (gen.outcome === 7) {
      const account = this.accounts.get(gen.apiKey);
      if (account) account.credits += gen.cost;
    }
    this.onTerminal(gen);
  }
}

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The `Resp` of `GET /openapi/v2/video/result/{id}`. */
export function statusResp(gen: Generation, status: TerminalStatus | 5): Record<string, unknown> {
  const done = status !== 5;
  return {
    id: gen.id,
    status,
    url: status === 1 ? `${MEDIA_BASE}/${gen.id}.mp4` : '',
    outputWidth: gen.width,
    outputHeight: gen.height,
    size: status === 1 ? gen.size : 0,
    seed: gen.seed,
    prompt: gen.params.prompt,
    negative_prompt: gen.params.negative_prompt ?? '',
    resolution_ratio: Math.min(gen.width, gen.height),
    style: gen.params.style ?? '',
    create_time: isoSeconds(gen.createdAt),
    modify_time: isoSeconds(done ? gen.doneAt : gen.createdAt),
  };
}
