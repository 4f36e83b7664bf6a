import { randomUUID } from 'node:crypto';
import type { Model, QueryFilter, UpdateQuery } from 'mongoose';
import { LingerBatch } from '@pixsim/bus';
import { PRIMARY } from '@pixsim/persistence';
import type { PollStore } from '../generation.js';
import { Batcher } from './batcher.js';
import { endedFields, type GenerationDoc } from './generation-model.js';

type EndQueries = Pick<PollStore, 'beginEnd' | 'finish' | 'unannounced'>;

/** A generation's end: taken once (with the event that announces it), then marked done once announced. */
export function endQueries(model: Model<GenerationDoc>): EndQueries {
  type Ending = { filter: QueryFilter<GenerationDoc>; set: Record<string, unknown>; mark: string; jobId: string };
  let endings = 0;
  const markPrefix = randomUUID();
  const beginEnds = new Batcher<Ending, boolean>(
    async (batch) => {
      const res = await model.bulkWrite(
        batch.map(({ filter, set, mark }) => ({
          updateOne: { filter, update: { $set: { ...set, ending_mark: mark } } as UpdateQuery<GenerationDoc> },
        })),
        { ordered: false },
      );
      if (res.modifiedCount === batch.length) return batch.map(() => true);
      // Some found their generation ended already (a cancel, another replica): the marks say which won.
      const docs = await model
        .find({ job_id: { $in: batch.map((e) => e.jobId) } }, { job_id: 1, ending_mark: 1 })
        .read(PRIMARY.readPreference)
        .lean();
      const marks = new Set(docs.map((d) => d.ending_mark));
      return batch.map((e) => marks.has(e.mark));
    },
    { lingerMs: 1, maxBatch: 500 },
  );

  // Marking an announced end done is off the job's path (its event is out): it waits longer for company.
  type Update = { filter: QueryFilter<GenerationDoc>; update: UpdateQuery<GenerationDoc> };
  const finishes = new LingerBatch<Update>(
    async (batch) => {
      await model.bulkWrite(
        batch.map((updateOne) => ({ updateOne })),
        { ordered: false },
      );
    },
    { lingerMs: 20, maxBatch: 500 },
  );

  return {
    beginEnd(gen, reason, event, now) {
      return beginEnds.add({
        jobId: gen.job_id,
        filter: { job_id: gen.job_id, attempt: gen.attempt, status: 'polling' },
        set: { status: 'ending', end_reason: reason, ended_at: now, next_poll_at: null, ending_event: event },
        mark: `${markPrefix}:${++endings}`,
      });
    },

    finish(gen, reason, now) {
      return finishes.add({
        filter: { job_id: gen.job_id, attempt: gen.attempt, status: 'ending' },
        update: { $set: { ...endedFields(reason, now), ending_event: null, ending_mark: null } },
      });
    },

    async unannounced(before, limit) {
      const docs = await model
        .find({ status: 'ending', ended_at: { $lt: before } })
        .limit(limit)
        .read(PRIMARY.readPreference)
        .lean();
      return docs.map((doc) => ({ gen: doc, event: doc.ending_event! }));
    },
  };
}
