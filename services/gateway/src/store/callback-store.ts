import { Schema, type Connection } from 'mongoose';
import { afterCursor, NEWEST_FIRST, type PageCursor } from '../http/pagination.js';
import { defineModel, isDuplicateKey, type TypedCollection } from '@pixsim/persistence';

import type { CallbackEvent, CallbackState } from '@pixsim/contracts';
export { CALLBACK_STATES, type CallbackEvent } from '@pixsim/contracts';

/** One job's callback: its final view, POSTed until a 2xx, a final refusal, or the last attempt. */
export interface CallbackDoc {
  _id: string; // the job id: one callback per job
  /** The job's owner, so an operator sees whose receiver fails; null on callbacks scheduled before it was kept. */
  user_id: string | null;
  url: string;
  event: CallbackEvent;
  body: string;
  state: CallbackState;
  attempts: number;
  next_at: Date;
  owner: string | null;
  lease_until: Date | null;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  /** Settled callbacks are kept this long for operators, then expire (TTL index). */
  purge_at: Date | null;
}

const schema = new Schema<CallbackDoc>(
  {
    _id: String,
    user_id: String,
    url: String,
    event: String,
    body: String,
    state: String,
    attempts: Number,
    next_at: Date,
    owner: String,
    lease_until: Date,
    last_status: Number,
    last_error: String,
    created_at: Date,
    purge_at: Date,
  },
  { collection: 'callbacks', versionKey: false },
);
schema.index({ state: 1, next_at: 1 });
// The operators' lists: newest first, all or of one state.
schema.index({ created_at: -1, _id: -1 });
schema.index({ state: 1, created_at: -1, _id: -1 });
schema.index({ purge_at: 1 }, { expireAfterSeconds: 0 });

const KEEP_SETTLED_MS = 7 * 86_400_000;

export const callbackModel = defineModel<CallbackDoc>('Callback', schema);

export type CallbackOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; at: Date; status: number | null; error: string }
  | { kind: 'failed'; status: number | null; error: string };

/** The callbacks' port: what the worker, the trigger and the operators' routes use. */
export interface CallbackStore {
  /** False when this job's callback was scheduled before. */
  schedule(
    doc: Pick<CallbackDoc, '_id' | 'url' | 'event' | 'body'> & { user_id?: string | null },
    now: Date,
  ): Promise<boolean>;
  /** The next due callback, leased to `owner` until now + leaseMs; null when none is due. */
  claim(owner: string, now: Date, leaseMs: number, skipUsers?: readonly string[]): Promise<CallbackDoc | null>;
  settle(id: string, owner: string, outcome: CallbackOutcome, now: Date): Promise<void>;
  resend(id: string, now: Date): Promise<{ doc: CallbackDoc | null; resent: boolean }>;
  list(q: { state?: CallbackState; limit: number; after?: PageCursor }): Promise<CallbackDoc[]>;
  resendFailed(q: { ids?: readonly string[]; count: number }, now: Date): Promise<number>;
  get(id: string): Promise<CallbackDoc | null>;
}

/**
 * The gateway's callbacks (owner of the `callbacks` collection). Scheduling is
 * insert-if-absent on the job id, so a redelivered final event schedules nothing
 * more; a claim is a lease, so replicas share the work and a dead one's claim expires.
 */
export async function createCallbackStore(conn: Connection): Promise<CallbackStore> {
  await callbackModel.model(conn).init();
  const Callback: TypedCollection<CallbackDoc> = callbackModel.collection(conn);
  const get = (id: string): Promise<CallbackDoc | null> => Callback.findOne({ _id: id });
  return {
    /** False when this job's callback was scheduled before. */
    async schedule(
      doc: Pick<CallbackDoc, '_id' | 'url' | 'event' | 'body'> & { user_id?: string | null },
      now: Date,
    ): Promise<boolean> {
      try {
        await Callback.insertOne({
          user_id: null,
          ...doc,
          state: 'pending',
          attempts: 0,
          next_at: now,
          owner: null,
          lease_until: null,
          last_status: null,
          last_error: null,
          created_at: now,
          purge_at: null,
        });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    /**
     * The next due callback, leased to `owner` until now + leaseMs; null when none is due.
     * `skipUsers`: users whose callbacks this replica already has as many in flight as one user may.
     */
    async claim(
      owner: string,
      now: Date,
      leaseMs: number,
      skipUsers: readonly string[] = [],
    ): Promise<CallbackDoc | null> {
      return Callback.findOneAndUpdate(
        {
          state: 'pending',
          next_at: { $lte: now },
          $or: [{ lease_until: null }, { lease_until: { $lt: now } }],
          ...(skipUsers.length ? { user_id: { $nin: [...skipUsers] } } : {}),
        },
        { $set: { owner, lease_until: new Date(now.getTime() + leaseMs) } },
        { sort: { next_at: 1 }, returnDocument: 'after' },
      ) as Promise<CallbackDoc | null>;
    },
    /** Records an attempt's outcome, if the lease is still this owner's. */
    async settle(id: string, owner: string, outcome: CallbackOutcome, now: Date): Promise<void> {
      const common = { owner: null, lease_until: null, last_status: outcome.status };
      const set =
        outcome.kind === 'retry'
          ? { ...common, next_at: outcome.at, last_error: outcome.error }
          : {
              ...common,
              state: outcome.kind,
              last_error: outcome.kind === 'failed' ? outcome.error : null,
              purge_at: new Date(now.getTime() + KEEP_SETTLED_MS),
            };
      await Callback.updateOne({ _id: id, owner }, { $set: set, $inc: { attempts: 1 } });
    },
    /**
     * Sends a settled callback again (delivered or given up), with a fresh set of
     * attempts. Null when there is none; the callback as it is when it is still pending.
     */
    async resend(id: string, now: Date): Promise<{ doc: CallbackDoc | null; resent: boolean }> {
      const doc = (await Callback.findOneAndUpdate(
        { _id: id, state: { $in: ['delivered', 'failed'] as CallbackState[] } },
        { $set: { state: 'pending', next_at: now, attempts: 0, owner: null, lease_until: null, purge_at: null } },
        { returnDocument: 'after' },
      )) as CallbackDoc | null;
      return doc ? { doc, resent: true } : { doc: await get(id), resent: false };
    },
    /** Newest first, all or of one state; `limit + 1` rows, so the caller knows whether a page follows. */
    async list(q: { state?: CallbackState; limit: number; after?: PageCursor }): Promise<CallbackDoc[]> {
      return Callback.find({ ...(q.state ? { state: q.state } : {}), ...afterCursor(q.after) })
        .sort(NEWEST_FIRST)
        .limit(q.limit + 1)
        .toArray() as unknown as Promise<CallbackDoc[]>;
    },
    /**
     * Sends given-up callbacks again with fresh attempts, oldest first: those of `ids`, or
     * any, up to `count`. For after a receiver's outage is over. Returns how many.
     */
    async resendFailed(q: { ids?: readonly string[]; count: number }, now: Date): Promise<number> {
      const filter = { state: 'failed' as const, ...(q.ids ? { _id: { $in: [...q.ids] } } : {}) };
      const due = await Callback.find(filter, { projection: { _id: 1 } })
        .sort({ created_at: 1, _id: 1 })
        .limit(q.count)
        .toArray();
      if (due.length === 0) return 0;
      const res = await Callback.updateMany(
        { _id: { $in: due.map((d) => d._id) }, state: 'failed' },
        { $set: { state: 'pending', next_at: now, attempts: 0, owner: null, lease_until: null, purge_at: null } },
      );
      return res.modifiedCount;
    },
    get,
  };
}
