import { randomUUID } from 'node:crypto';
import { Schema, type Connection, type QueryFilter, type UpdateQuery } from 'mongoose';
import { LingerBatch, type PublishInput } from '@pixsim/bus';
import { AFTER, defineModel, isDuplicateKey, PRIMARY } from '@pixsim/persistence';
import type { EndReason, Generation, GenerationStore } from '../generation.js';
import { GENERATION_STATUSES } from '../generation.js';
import { Batcher } from './batcher.js';

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
  /** Which beginEnd took the end (owner and a counter): how a batch of them learns which ones won. */
  ending_mark?: string | null;
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
    ending_mark: String,
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

  // The writes a job makes once (its record, the taking of its end, the end's announcement)
  // share their round trip with those made within a few milliseconds: a burst of jobs costs
  // a few bulkWrites, not a round trip per job each. Their filters name job_id and plain
  // values, which the unique index answers directly.
  type Upsert = { jobId: string; fields: Record<string, unknown> };
  const inserts = new Batcher<Upsert, boolean>(
    async (batch) => {
      try {
        const res = await model.bulkWrite(
          batch.map(({ jobId, fields }) => ({
            updateOne: { filter: { job_id: jobId }, update: { $setOnInsert: fields }, upsert: true },
          })),
          { ordered: false },
        );
        const inserted = new Set(Object.keys(res.upsertedIds ?? {}).map(Number));
        return batch.map((_, i) => inserted.has(i));
      } catch (err) {
        // Two replicas inserting one job at once: one insert loses on the unique index. Which
        // ones went in is unknown then; each is settled again alone (insertOnce is idempotent).
        if (!isDuplicateKey(err, 'job_id')) throw err;
        return batch.map(() => false);
      }
    },
    { lingerMs: 2, maxBatch: 500 },
  );

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

  type Update = { filter: QueryFilter<GenerationDoc>; update: UpdateQuery<GenerationDoc> };
  const updates = (lingerMs: number) =>
    new LingerBatch<Update>(
      async (batch) => {
        await model.bulkWrite(
          batch.map((updateOne) => ({ updateOne })),
          { ordered: false },
        );
      },
      { lingerMs, maxBatch: 500 },
    );
  // A poll that changes nothing writes nothing (the poll loop keeps the generation while its
  // lease lasts); one that does (a failure, a next poll the lease does not cover) ends in a
  // conditional update, and those of one millisecond share a bulkWrite. The wait holds the
  // poll's slot, so it is kept short.
  const reschedules = updates(1);
  // Marking an announced end done is off the job's path (its event is out): it waits longer for company.
  const finishes = updates(20);

  return {
    async recordSubmission(sub, nextPollAt, now) {
      const { job_id: jobId, ...fields } = sub;
      // Older than the retention and unknown: its generation ended and was purged, and a
      // replay (from the dead letters, say) must not start polling an ended job again.
      if (sub.submitted_at.getTime() < now.getTime() - RETENTION_MS) return (await byJob(jobId)) ?? null;
      const polling = { ...fields, next_poll_at: nextPollAt, failures: 0, lease_owner: null, lease_until: null };
      const fresh = { ...polling, status: 'polling' as const, ended_at: null, end_reason: null };
      // The usual case: a new job, inserted in a shared bulkWrite and known without reading it back.
      if (await inserts.add({ jobId, fields: fresh })) return { job_id: jobId, ...fresh } as Generation;
      const doc = await insertOnce(jobId, fresh);
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
      // Two round trips whatever the limit: read the due generations (oldest first), then lease
      // those still due in one update (one that another claim took meanwhile fails `due` and is
      // skipped). The lease also moves next_poll_at to its end: a leased generation leaves the
      // due range of the index (claims do not step over it), and comes back into it when the
      // lease runs out, which is when a replica that died holding it is replaced. Owner and
      // expiry name the lease: owners differ between processes, and within one each claim's
      // expiry is later than the one before.
      const leaseUntil = new Date(Math.max(now.getTime() + leaseMs, lastLeaseUntil + 1));
      lastLeaseUntil = leaseUntil.getTime();
      const candidates = await model
        .find(due, { ending_event: 0, cancel_requested_at: 0, purge_at: 0, ending_mark: 0 })
        .sort({ next_poll_at: 1 })
        .limit(limit)
        .read(PRIMARY.readPreference)
        .lean<Generation[]>();
      if (candidates.length === 0) return [];
      const jobIds = candidates.map((c) => c.job_id);
      // Safe to retry (a driver retry after a failover): the first application leaves them
      // leased past `now`, so `due` no longer matches them and a second one changes nothing.
      const res = await model.updateMany(
        { job_id: { $in: jobIds }, ...due },
        { $set: { lease_owner: owner, lease_until: leaseUntil, next_poll_at: leaseUntil } },
      );
      let leased = candidates;
      if (res.modifiedCount < candidates.length) {
        // Another replica's claim took some in between: read back which ones are this claim's.
        const mine = await model
          .find(
            { job_id: { $in: jobIds }, lease_owner: owner, lease_until: { $gte: leaseUntil, $lte: leaseUntil } },
            { job_id: 1 },
          )
          .read(PRIMARY.readPreference)
          .lean();
        const ids = new Set(mine.map((d) => d.job_id));
        leased = candidates.filter((c) => ids.has(c.job_id));
      }
      // As read before the lease: next_poll_at is still when the poll was due.
      return leased.map((c) => ({ ...c, lease_owner: owner, lease_until: leaseUntil }));
    },

    reschedule(gen, owner, next) {
      return reschedules.add({
        filter: { job_id: gen.job_id, attempt: gen.attempt, status: 'polling', lease_owner: owner },
        update: { $set: { ...next, lease_owner: null, lease_until: null } },
      });
    },

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
        update: { $set: { ...ended(reason, now), ending_event: null, ending_mark: null } },
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
