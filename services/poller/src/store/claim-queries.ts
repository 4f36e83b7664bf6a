import type { Model, QueryFilter } from 'mongoose';
import { PRIMARY, type GroupCommit } from '@pixsim/persistence';
import type { Generation, PollStore } from '../generation.js';
import type { GenerationDoc } from './generation-model.js';

type ClaimQueries = Pick<PollStore, 'claimDue' | 'reschedule' | 'pokeNow' | 'countPolling'>;

/** The leases: claiming due generations, handing them back with their next poll, making one due now. */
export function claimQueries(model: Model<GenerationDoc>, writes: GroupCommit<GenerationDoc>): ClaimQueries {
  let lastLeaseUntil = 0;

  return {
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
        .find(due, { ending_event: 0, cancel_requested_at: 0, purge_at: 0 })
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

    // A poll that changes nothing writes nothing (the poll loop keeps the generation while its
    // lease lasts); one that does (a failure, a next poll the lease does not cover) ends in a
    // conditional update, in the group commit.
    async reschedule(gen, owner, next) {
      await writes.write({
        updateOne: {
          filter: { job_id: gen.job_id, attempt: gen.attempt, status: 'polling', lease_owner: owner },
          update: { $set: { ...next, lease_owner: null, lease_until: null } },
        },
      });
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
  };
}
