import { afterEach, describe, expect, it } from 'vitest';
import { eventIds, type SealedSecret } from '@pixsim/contracts';
import { commandsOn, openTestDb, type TestDb } from '@pixsim/testkit';
import type { Generation, PollStore, Submission } from '../src/generation.js';
import { generationModel } from '../src/store/generation-model.js';
import { openGenerationStore } from '../src/store/generation-store.js';
import { MemoryPollStore } from './fakes.js';
import { sealForPoller } from './helpers.js';

/**
 * The poll loop's tests run on MemoryPollStore; these cases hold it to the MongoDB store's
 * behaviour by running both through them.
 */
interface Subject {
  store: PollStore;
  seed(sub: Submission, nextPollAt: Date): Promise<void>;
  close(): Promise<void>;
}

const credential: SealedSecret = sealForPoller('api-key-1');
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

const subjects: Record<string, () => Promise<Subject>> = {
  memory: async () => {
    const store = new MemoryPollStore();
    return {
      store,
      async seed(sub, nextPollAt) {
        store.add({
          ...sub,
          status: 'polling',
          next_poll_at: nextPollAt,
          failures: 0,
          lease_owner: null,
          lease_until: null,
          ended_at: null,
          end_reason: null,
        } satisfies Generation);
      },
      close: async () => {},
    };
  },
  mongodb: async () => {
    const db: TestDb = await openTestDb('poll-store-contract');
    const store = await openGenerationStore(db.conn);
    return {
      store,
      seed: async (sub, next) => void (await store.recordSubmission(sub, next, T0)),
      close: () => db.drop(),
    };
  },
};

const submission = (jobId: string): Submission => ({
  job_id: jobId,
  user_id: 'u1',
  provider_id: 'pixverse',
  provider_job_id: `pv-${jobId}`,
  account_id: 'a1',
  credential,
  duration_sec: 5,
  attempt: 1,
  submitted_at: T0,
});

const ending = (jobId: string) => ({
  type: 'JOB_COMPLETED' as const,
  id: eventIds.jobCompleted(jobId),
  data: {} as never,
});

for (const [name, open] of Object.entries(subjects)) {
  describe(`PollStore contract (${name})`, () => {
    let subject: Subject | undefined;
    afterEach(async () => {
      await subject?.close();
      subject = undefined;
    });
    const setup = async () => (subject = await open());

    it('when generations are due, then a claim leases the longest due first up to the limit, and a second claim gets none of them', async () => {
      const { store, seed } = await setup();
      await seed(submission('j-late'), at(5));
      await seed(submission('j-first'), at(1));
      await seed(submission('j-second'), at(2));
      await seed(submission('j-future'), at(60));
      const claimed = await store.claimDue('o1', at(10), 30_000, 2);
      expect(claimed.map((g) => g.job_id)).toEqual(['j-first', 'j-second']);
      expect(claimed.every((g) => g.lease_owner === 'o1')).toBe(true);
      expect((await store.claimDue('o2', at(10), 30_000, 10)).map((g) => g.job_id)).toEqual(['j-late']);
      expect(await store.claimDue('o3', at(10), 30_000, 10)).toEqual([]);
    });

    it('when the lease holder reschedules, then the lease is freed; anyone else rescheduling changes nothing', async () => {
      const { store, seed } = await setup();
      await seed(submission('j1'), at(0));
      const [gen] = await store.claimDue('o1', at(1), 30_000, 1);
      await store.reschedule(gen!, 'intruder', { next_poll_at: at(2), failures: 3 });
      expect(await store.claimDue('o2', at(3), 30_000, 1)).toEqual([]);
      await store.reschedule(gen!, 'o1', { next_poll_at: at(5), failures: 1 });
      expect(await store.claimDue('o2', at(4), 30_000, 1)).toEqual([]);
      expect(await store.claimDue('o2', at(6), 30_000, 1)).toMatchObject([{ job_id: 'j1', failures: 1 }]);
    });

    it('when an end is taken, then it is taken once, listed as unannounced until finished, and no longer polled', async () => {
      const { store, seed } = await setup();
      await seed(submission('j1'), at(0));
      const [gen] = await store.claimDue('o1', at(1), 30_000, 1);
      expect(await store.beginEnd(gen!, 'completed', ending('j1'), at(2))).toBe(true);
      expect(await store.beginEnd(gen!, 'failed', ending('j1'), at(2))).toBe(false);
      expect(await store.countPolling()).toBe(0);
      expect((await store.unannounced(at(3), 10)).map((u) => [u.gen.job_id, u.event.id])).toEqual([
        ['j1', eventIds.jobCompleted('j1')],
      ]);
      await store.finish(gen!, 'completed', at(4));
      expect(await store.unannounced(at(5), 10)).toEqual([]);
      expect(await store.claimDue('o1', at(100), 30_000, 1)).toEqual([]);
    });

    it('when a claim leases a generation, then it is stored due at the lease end, and the claimed copy says when it was due', async () => {
      const { store, seed } = await setup();
      await seed(submission('j1'), at(1));
      const [gen] = await store.claimDue('o1', at(10), 30_000, 1);
      expect(gen).toMatchObject({ job_id: 'j1', lease_owner: 'o1' });
      expect(gen!.next_poll_at).toEqual(at(1));
      expect(gen!.lease_until).toEqual(at(40));
      expect(await store.claimDue('o2', at(39), 30_000, 1)).toEqual([]);
      expect(await store.claimDue('o2', at(40), 30_000, 1)).toMatchObject([{ job_id: 'j1', lease_owner: 'o2' }]);
    });

    it('when the ends of many generations are taken at once, some already ended, then each learns whether it won', async () => {
      const { store, seed } = await setup();
      const ids = ['j0', 'j1', 'j2', 'j3', 'j4'];
      for (const id of ids) await seed(submission(id), at(0));
      const gens = await store.claimDue('o1', at(1), 30_000, 10);
      const byId = new Map(gens.map((g) => [g.job_id, g]));
      expect(await store.beginEnd(byId.get('j0')!, 'failed', ending('j0'), at(2))).toBe(true);
      expect(await store.beginEnd(byId.get('j3')!, 'failed', ending('j3'), at(2))).toBe(true);
      const won = await Promise.all(ids.map((id) => store.beginEnd(byId.get(id)!, 'completed', ending(id), at(3))));
      expect(won).toEqual([false, true, true, false, true]);
      expect((await store.unannounced(at(100), 10)).map((u) => u.gen.end_reason).sort()).toEqual([
        'completed',
        'completed',
        'completed',
        'failed',
        'failed',
      ]);
    });

    it('when poked by provider job id, then that generation is due now; an unknown id pokes nothing', async () => {
      const { store, seed } = await setup();
      await seed(submission('j1'), at(60));
      expect(await store.pokeNow('pv-nope', at(1))).toBe(0);
      expect(await store.pokeNow('pv-j1', at(1))).toBe(1);
      expect((await store.claimDue('o1', at(1), 30_000, 1)).map((g) => g.job_id)).toEqual(['j1']);
    });
  });
}

describe('the MongoDB store: marks behind announced ends', () => {
  it('when ends are marked finished a few ms apart, then the marks share one round trip and each lands', async () => {
    const db = await openTestDb('poll-store-marks');
    try {
      const store = await openGenerationStore(db.conn);
      const jobs = ['m1', 'm2', 'm3', 'm4'];
      for (const id of jobs) await store.recordSubmission(submission(id), at(10), T0);
      const gens = await store.claimDue('me', at(20), 60_000, 10);
      expect(gens).toHaveLength(4);
      for (const gen of gens) expect(await store.beginEnd(gen, 'completed', ending(gen.job_id), at(20))).toBe(true);
      const name = generationModel.collection(db.conn).collectionName;
      const before = await commandsOn(db.conn, name);
      const marks: Promise<void>[] = [];
      for (const gen of gens) {
        marks.push(store.finish(gen, 'completed', at(21)));
        await new Promise((r) => setTimeout(r, 10));
      }
      await Promise.all(marks);
      expect(await commandsOn(db.conn, name)).toBe(before + 1);
      expect(await store.unannounced(at(60), 10)).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});
