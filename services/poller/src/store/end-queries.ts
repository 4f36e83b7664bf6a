import type { Model } from 'mongoose';
import { isDuplicateKey, PRIMARY, type GroupCommit } from '@pixsim/persistence';
import type { PollStore } from '../generation.js';
import { endedFields, type GenerationDoc } from './generation-model.js';

type EndQueries = Pick<PollStore, 'beginEnd' | 'finish' | 'unannounced'>;

/**
 * A generation's end: taken once (with the event that announces it), then marked done once
 * announced. `marks` carries the latter, which no one waits on (it may linger).
 */
export function endQueries(
  model: Model<GenerationDoc>,
  writes: GroupCommit<GenerationDoc>,
  marks: GroupCommit<GenerationDoc>,
): EndQueries {
  return {
    async beginEnd(gen, reason, event, now) {
      // An upsert on the condition, so that a batch tells each end whether it won (0009): a
      // generation no longer polling (a cancel, another end) is not matched, and the insert
      // that falls back collides with it on the unique job_id. (A driver retry of a batch that
      // did land reads as lost: the end stays taken with its event, and announceStranded
      // announces it a lease later.)
      try {
        await writes.write({
          updateOne: {
            filter: { job_id: gen.job_id, attempt: gen.attempt, status: 'polling' },
            update: {
              $set: { status: 'ending', end_reason: reason, ended_at: now, next_poll_at: null, ending_event: event },
            },
            upsert: true,
          },
        });
        return true;
      } catch (err) {
        if (isDuplicateKey(err, 'job_id')) return false;
        throw err;
      }
    },

    async finish(gen, reason, now) {
      await marks.write({
        updateOne: {
          filter: { job_id: gen.job_id, attempt: gen.attempt, status: 'ending' },
          update: { $set: { ...endedFields(reason, now), ending_event: null } },
        },
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
