import { Schema, type Connection, type QueryFilter, type UpdateQuery } from 'mongoose';
import { LingerBatch, type PublishInput } from '@pixsim/bus';
import { AFTER, defineModel, isDuplicateKey, PRIMARY } from '@pixsim/persistence';
import type { EndReason, Generation, GenerationStore } from '../generation.js';
import { GENERATION_STATUSES } from '../generation.js';

/**
 * Ended generations and tombstones are kept this long for operators, then expire (TTL index).
 * A generation is purged at the earliest this long after its submission, which is how a
 * submission replayed after its purge is told from a new one.
 */
const RETENTION_MS = 7 * 24 * 3600 * 1000;

type GenerationDoc = Generation & {
  cancel_requested_at: Date | null;
  purge_at: Date | null;
  ending_event?: PublishInput | null;
};

const generationSchema = new Schema<GenerationDoc>(
  {
    job_id: { type: String, required: true },
    status: { type: String, enum: GENERATION_STATUSES, required: true },
    user_id: String,
    provider_id: String,
    provider_job_id: String,
    account_id: String,
    credential: Schema.Types.Mixed,
    duration_sec: Number,
    attempt: Number,
    submitted_at: Date,
    trace: Schema.Types.Mixed,
    next_poll_at: Date,
    failures: { type: Number, default: 0 },
    lease_owner: String,
    lease_until: Date,
    ended_at: Date,
    end_reason: String,
    cancel_requested_at: Date,
    purge_at: Date,
    ending_event: Schema.Types.Mixed,
  },
  { versionKey: false, minimize: false, collection: 'generations' },
);
generationSchema.index({ status: 1, next_poll_at: 1 });
generationSchema.index({ job_id: 1 }, { unique: true });
generationSchema.index({ provider_job_id: 1 });
generationSchema.index({ purge_at: 1 }, { expireAfterSeconds: 0 });

export const generationModel = defineModel<GenerationDoc>('Generation', generationSchema);

/**
 * Mongoose-backed store; every change is an atomic single-document update, though several
 * may share a round trip. The unique index on job_id (built by the migration) is what
 * makes the upserts insert once.
 */
export async function openGenerationStore(conn: Connection): Promise<GenerationStore> {
  const model = generationModel.model(conn);
  // Where indexes are built on compile (development, tests), wait for them; in production
  // (autoIndex off) this returns at once and the migration has built them.
  await model.init();
  const byJob = (jobId: string) => model.findOne({ job_id: jobId }).read(PRIMARY.readPreference).lean();

  const ended = (reason: EndReason, now: Date) => ({
    status: reason === 'cancelled' ? 'cancelled' : 'done',
    end_reason: reason,
    ended_at: now,
    next_poll_at: null,
    lease_owner: null,
    lease_until: null,
    purge_at: new Date(now.getTime() + RETENTION_MS),
  });

  /** Upserts with $setOnInsert; two concurrent upserts can both try to insert, and one loses. */
  const insertOnce = async (jobId: string, fields: Record<string, unknown>): Promise<GenerationDoc> => {
    try {
      return (await model.findOneAndUpdate({ job_id: jobId }, { $setOnInsert: fields }, { ...AFTER, upsert: true }))!;
    } catch (err) {
      if (!isDuplicateKey(err, 'job_id')) throw err;
      return (await byJob(jobId))!;
    }
  };

  const current = async (jobId: string) => (await byJob(jobId))!;
  let lastLeaseUntil = 0;

  // Every poll ends in a conditional update of its generation; those made within a
  // millisecond go to MongoDB as one unordered bulkWrite instead of a round trip each.
  // The wait holds the poll's slot, so it is kept short: at a few polls per millisecond
  // batches form anyway.
  type Reschedule = { filter: QueryFilter<GenerationDoc>; update: UpdateQuery<GenerationDoc> };
  const reschedules = new LingerBatch<Reschedule>(
    async (batch) => {
      await model.bulkWrite(
        batch.map((updateOne) => ({ updateOne })),
        { ordered: false },
      );
    },
    { lingerMs: 1 },
  );

  return {
    async recordSubmission(sub, nextPollAt, now) {
      const { job_id: jobId, ...fields } = sub;
      // Older than the retention and unknown: its generation ended and was purged, and a
      // replay (from the dead letters, say) must not start polling an ended job again.
      if (sub.submitted_at.getTime() < now.getTime() - RETENTION_MS) return (await byJob(jobId)) ?? null;
      const polling = { ...fields, next_poll_at: nextPollAt, failures: 0, lease_owner: null, lease_until: null };
      const doc = await insertOnce(jobId, { ...polling, status: 'polling', ended_at: null, end_reason: null });
      if (doc.status === 'cancel_requested') {
        return (
          (await model.findOneAndUpdate(
            { job_id: jobId, status: 'cancel_requested' },
            { $set: { ...fields, failures: 0, ...ended('cancelled', now) } },
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
          { $set: ended('cancelled', now) },
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
        { $set: ended('failed_elsewhere', now) },
      );
      if (res.matchedCount === 0) await insertOnce(jobId, ended('failed_elsewhere', now));
    },

    async claimDue(owner, now, leaseMs, limit) {
      const due: QueryFilter<GenerationDoc> = {
        status: 'polling',
        next_poll_at: { $lte: now },
        $or: [{ lease_until: null }, { lease_until: { $lte: now } }],
      };
      // Three round trips whatever the limit: find the candidates, lease those still due in
      // one update (one another claim took meanwhile fails `due` and is skipped), then read
      // back the ones this call leased. Owner and expiry name the lease: owners differ between
      // processes, and within one each claim's expiry is later than the one before.
      const leaseUntil = new Date(Math.max(now.getTime() + leaseMs, lastLeaseUntil + 1));
      lastLeaseUntil = leaseUntil.getTime();
      const candidates = await model
        .find(due, { _id: 1 })
        .sort({ next_poll_at: 1 })
        .limit(limit)
        .read(PRIMARY.readPreference)
        .lean();
      if (candidates.length === 0) return [];
      const ids = candidates.map((c) => c._id);
      // Safe to retry (a driver retry after a failover): the first application leaves them
      // leased past `now`, so `due` no longer matches them and a second one changes nothing.
      await model.updateMany({ _id: { $in: ids }, ...due }, { $set: { lease_owner: owner, lease_until: leaseUntil } });
      return model
        .find({ _id: { $in: ids }, lease_owner: owner, lease_until: leaseUntil })
        .sort({ next_poll_at: 1 })
        .read(PRIMARY.readPreference)
        .lean();
    },

    reschedule(gen, owner, next) {
      return reschedules.add({
        filter: { job_id: gen.job_id, attempt: gen.attempt, status: 'polling', lease_owner: owner },
        update: { $set: { ...next, lease_owner: null, lease_until: null } },
      });
    },

    async beginEnd(gen, reason, event, now) {
      const res = await model.updateOne(
        { job_id: gen.job_id, attempt: gen.attempt, status: 'polling' },
        { $set: { status: 'ending', end_reason: reason, ended_at: now, next_poll_at: null, ending_event: event } },
      );
      return res.modifiedCount === 1;
    },

    async finish(gen, reason, now) {
      await model.updateOne(
        { job_id: gen.job_id, attempt: gen.attempt, status: 'ending' },
        { $set: { ...ended(reason, now), ending_event: null } },
      );
    },

    async unannounced(before, limit) {
      const docs = await model
        .find({ status: 'ending', ended_at: { $lt: before } })
        .limit(limit)
        .read(PRIMARY.readPreference)
        .lean();
      return docs.map((doc) => ({ gen: doc, event: doc.ending_event! }));
    },

    async pokeNow(id, now) {
      // Idempotent: a retried update sets the same instant again.
      const res = await model.updateMany(
        { status: 'polling', $or: [{ job_id: id }, { provider_job_id: id }] },
        { $set: { next_poll_at: now } },
      );
      return res.modifiedCount;
    },

    countPolling: () => model.countDocuments({ status: 'polling' }).read(PRIMARY.readPreference),

    async *sealedUnderOtherKeys({ alg, kid }) {
      const cursor = model
        .find(
          { status: 'polling', $or: [{ 'credential.kid': { $ne: kid } }, { 'credential.alg': { $ne: alg } }] },
          { job_id: 1, account_id: 1, credential: 1 },
        )
        .lean()
        .cursor();
      for await (const doc of cursor) yield { id: doc.job_id, accountId: doc.account_id, credential: doc.credential };
    },

    async replaceCredential(jobId, was, next) {
      const res = await model.updateOne(
        { job_id: jobId, 'credential.kid': was.kid, 'credential.iv': was.iv },
        { $set: { credential: next } },
      );
      return res.modifiedCount === 1;
    },
  };
}
