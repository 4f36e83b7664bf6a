import type { PublishInput } from '@pixsim/bus';
import type { GenerationStatus as ProviderStatus, VideoProvider } from '@pixsim/providers';
import type { EndReason, Generation, PollStore } from '../src/generation.js';
import type { PollMetrics, PollOutcome } from '../src/poll-metrics.js';

/** An in-memory PollStore with the Mongo store's lease semantics. */
export class MemoryPollStore implements PollStore {
  readonly docs = new Map<string, Generation>();

  add(gen: Generation): void {
    this.docs.set(gen.job_id, { ...gen });
  }

  get(jobId: string): Generation {
    return this.docs.get(jobId)!;
  }

  async claimDue(owner: string, now: Date, leaseMs: number, limit: number): Promise<Generation[]> {
    const due = [...this.docs.values()]
      .filter((g) => g.status === 'polling' && g.next_poll_at! <= now && (!g.lease_until || g.lease_until <= now))
      .sort((a, b) => a.next_poll_at!.getTime() - b.next_poll_at!.getTime())
      .slice(0, limit);
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const claimed = due.map((g) => ({ ...g, lease_owner: owner, lease_until: leaseUntil }));
    // Stored, the next poll moves to the lease's end; the claimed copies keep when they were due.
    for (const g of due) Object.assign(g, { lease_owner: owner, lease_until: leaseUntil, next_poll_at: leaseUntil });
    return claimed;
  }

  async reschedule(gen: Generation, owner: string, next: { next_poll_at: Date; failures: number }): Promise<void> {
    const doc = this.docs.get(gen.job_id);
    if (doc?.status !== 'polling' || doc.attempt !== gen.attempt || doc.lease_owner !== owner) return;
    Object.assign(doc, next, { lease_owner: null, lease_until: null });
  }

  readonly endingEvents = new Map<string, PublishInput>();

  async beginEnd(gen: Generation, reason: EndReason, event: PublishInput, now: Date): Promise<boolean> {
    const doc = this.docs.get(gen.job_id);
    if (doc?.status !== 'polling' || doc.attempt !== gen.attempt) return false;
    Object.assign(doc, { status: 'ending', end_reason: reason, ended_at: now, next_poll_at: null });
    this.endingEvents.set(gen.job_id, event);
    return true;
  }

  async finish(gen: Generation, reason: EndReason, now: Date): Promise<void> {
    const doc = this.docs.get(gen.job_id);
    if (doc?.status !== 'ending' || doc.attempt !== gen.attempt) return;
    Object.assign(doc, {
      status: 'done',
      end_reason: reason,
      ended_at: now,
      next_poll_at: null,
      lease_owner: null,
      lease_until: null,
    });
    this.endingEvents.delete(gen.job_id);
  }

  async unannounced(before: Date, limit: number): Promise<Array<{ gen: Generation; event: PublishInput }>> {
    return [...this.docs.values()]
      .filter((g) => g.status === 'ending' && g.ended_at! < before)
      .slice(0, limit)
      .map((g) => ({ gen: { ...g }, event: this.endingEvents.get(g.job_id)! }));
  }

  async pokeNow(id: string, now: Date): Promise<number> {
    let n = 0;
    for (const doc of this.docs.values()) {
      if (doc.status === 'polling' && (doc.job_id === id || doc.provider_job_id === id)) {
        doc.next_poll_at = now;
        n++;
      }
    }
    return n;
  }

  async countPolling(): Promise<number> {
    return [...this.docs.values()].filter((g) => g.status === 'polling').length;
  }
}

/** A provider whose answers the test scripts per provider job id: a status, or an error to throw. */
export class FakeProvider implements Pick<VideoProvider, 'status'> {
  readonly calls: Array<{ apiKey: string; providerJobId: string }> = [];
  private readonly answers = new Map<string, Array<ProviderStatus | Error>>();

  script(providerJobId: string, ...answers: Array<ProviderStatus | Error>): void {
    this.answers.set(providerJobId, answers);
  }

  async status(
    creds: { apiKey: string },
    providerJobId: string,
    _opts?: { signal?: AbortSignal; deadlineAt?: number },
  ): Promise<ProviderStatus> {
    this.calls.push({ apiKey: creds.apiKey, providerJobId });
    const queue = this.answers.get(providerJobId) ?? [];
    // The last answer repeats, so a script of one answer is a steady state.
    const answer = queue.length > 1 ? queue.shift()! : (queue[0] ?? { state: 'pending' });
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

export class RecordingMetrics implements PollMetrics {
  readonly outcomes: PollOutcome[] = [];
  readonly errors: string[] = [];
  polled(outcome: PollOutcome) {
    this.outcomes.push(outcome);
  }
  pollError(kind: string) {
    this.errors.push(kind);
  }
  callStarted() {}
  callEnded() {}
}

export function recordingPublish() {
  const published: PublishInput[] = [];
  const publish = async (input: PublishInput) => {
    published.push(input);
    return { streamId: String(published.length) };
  };
  return { published, publish };
}

/** A clock the test moves by hand. */
export function manualClock(start = new Date('2025-01-01T00:00:00.000Z')) {
  let now = start.getTime();
  return {
    clock: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
    at: () => now,
  };
}

export const SEALED = { alg: 'A256GCM' as const, kid: 'k1', iv: 'aXY=', tag: 'dGFn', ct: 'Y3Q=' };

export function generation(jobId: string, submittedAt: Date, over: Partial<Generation> = {}): Generation {
  return {
    job_id: jobId,
    user_id: 'user-1',
    provider_id: 'pixverse',
    provider_job_id: `pv-${jobId}`,
    account_id: 'acct-1',
    credential: SEALED,
    duration_sec: 5,
    attempt: 1,
    submitted_at: submittedAt,
    status: 'polling',
    next_poll_at: submittedAt,
    failures: 0,
    lease_owner: null,
    lease_until: null,
    ended_at: null,
    end_reason: null,
    ...over,
  };
}
