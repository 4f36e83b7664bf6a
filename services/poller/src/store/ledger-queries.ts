import type { Model } from 'mongoose';
import { AFTER, isDuplicateKey, PRIMARY, type GroupCommit } from '@pixsim/persistence';
import type { Generation, LedgerStore } from '../generation.js';
import { endedFields, RETENTION_MS, type GenerationDoc } from './generation-model.js';

/** The store's answers to JOB_SUBMITTED, JOB_CANCEL_REQUESTED and JOB_FAILED: a generation's record and its tombstone. */
export function ledgerQueries(model: Model<GenerationDoc>, writes: GroupCommit<GenerationDoc>): LedgerStore {
  const byJob = (jobId: string) => model.findOne({ job_id: jobId }).read(PRIMARY.readPreference).lean();
  const current = async (jobId: string) => (await byJob(jobId))!;

  /** Upserts with $setOnInsert; two concurrent upserts can both try to insert, and one loses. */
  const insertOnce = async (jobId: string, fields: Record<string, unknown>): Promise<GenerationDoc> => {
    try {
      return (await model.findOneAndUpdate({ job_id: jobId }, { $setOnInsert: fields }, { ...AFTER, upsert: true }))!;
    } catch (err) {
      if (!isDuplicateKey(err, 'job_id')) throw err;
      return (await byJob(jobId))!;
    }
  };

  /**
   * A new job's record, in a bulkWrite shared with the others of the moment: true when it
   * inserted. False when the job was recorded before, or when another replica inserted it
   * at the same instant (the unique index refuses the second insert); insertOnce settles it.
   */
  const insertNew = async (jobId: string, fields: Record<string, unknown>): Promise<boolean> => {
    try {
      const { upserted } = await writes.write({
        updateOne: { filter: { job_id: jobId }, update: { $setOnInsert: fields }, upsert: true },
      });
      return upserted;
    } catch (err) {
      if (!isDuplicateKey(err, 'job_id')) throw err;
      return false;
    }
  };

  return {
    async recordSubmission(sub, nextPollAt, now, lease) {
      const { job_id: jobId, ...fields } = sub;
      // Older than the retention and unknown: its generation ended and was purged, and a
      // replay (from the dead letters, say) must not start polling an ended job again.
      if (sub.submitted_at.getTime() < now.getTime() - RETENTION_MS) return (await byJob(jobId)) ?? null;
      const polling = { ...fields, next_poll_at: nextPollAt, failures: 0, lease_owner: null, lease_until: null };
      const leased = lease ? { lease_owner: lease.owner, lease_until: lease.until, next_poll_at: lease.until } : {};
      const fresh = { ...polling, ...leased, status: 'polling' as const, ended_at: null, end_reason: null };
      // The usual case: a new job, inserted in a shared bulkWrite and known without reading it back.
      if (await insertNew(jobId, fresh)) {
        return { job_id: jobId, ...fresh, next_poll_at: nextPollAt } as Generation;
      }
      const doc = await insertOnce(jobId, fresh);
      if (doc.status === 'cancel_requested') {
        return (
          (await model.findOneAndUpdate(
            { job_id: jobId, status: 'cancel_requested' },
            { $set: { ...fields, failures: 0, ...endedFields('cancelled', now) } },
            AFTER,
          )) ?? current(jobId)
        );
      }
      if (doc.status === 'polling' && doc.attempt < sub.attempt) {
        return (
          (await model.findOneAndUpdate(
            { job_id: jobId, status: 'polling', attempt: { $lt: sub.attempt } },
            { $set: polling },
            AFTER,
          )) ?? current(jobId)
        );
      }
      return doc;
    },

    async cancel(jobId, now) {
      // A JOB_SUBMITTED may record the generation between the two steps: then the
      // tombstone's insert finds it polling, and the cancel is tried on it again.
      for (let round = 0; round < 3; round++) {
        const cancelled = await model.findOneAndUpdate(
          { job_id: jobId, status: 'polling' },
          { $set: endedFields('cancelled', now) },
          AFTER,
        );
        if (cancelled) return cancelled;
        const doc = await insertOnce(jobId, {
          status: 'cancel_requested',
          cancel_requested_at: now,
          purge_at: new Date(now.getTime() + RETENTION_MS),
        });
        if (doc.status !== 'polling') return doc.status === 'cancelled' ? doc : null;
      }
      throw new Error(`job ${jobId}: could not settle its cancel against a concurrent submission; it is retried`);
    },

    async stopPolling(jobId, now) {
      const res = await model.updateOne(
        { job_id: jobId, status: { $in: ['polling', 'cancel_requested'] } },
        { $set: endedFields('failed_elsewhere', now) },
      );
      if (res.matchedCount === 0) await insertOnce(jobId, endedFields('failed_elsewhere', now));
    },
  };
}
