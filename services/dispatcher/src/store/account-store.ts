import { Schema, type Connection, type mongo, type QueryFilter } from 'mongoose';
import type { AccountStatus, EventData, SealedSecret } from '@pixsim/contracts';
import { AFTER, createGroupCommit, defineModel, PRIMARY } from '@pixsim/persistence';

export interface AccountDoc {
  _id: string;
  provider_id: string;
  email: string | null;
  nickname: string | null;
  credential: SealedSecret;
  status: AccountStatus;
  status_reason: string | null;
  credits: number;
  cooldown_until: Date | null;
  max_concurrent_jobs: number;
  in_flight: number;
  priority: number;
  is_private: boolean;
  total_submitted: number;
  total_failed: number;
  last_used: Date | null;
  created_at: Date;
  deleted: boolean;
  /** Bumped by every change, so views of the account can be ordered. */
  revision: number;
  /** Ids of the latest credit top-ups applied, so a redelivered one adds nothing. */
  credit_commands?: string[];
}

/** Top-ups remembered per account: far more than can be redelivered at once. */
const CREDIT_COMMANDS_KEPT = 100;

type Command = EventData<'ACCOUNT_COMMAND'>;

const accountSchema = (() => {
  const schema = new Schema<AccountDoc>(
    {
      _id: String,
      provider_id: String,
      email: String,
      nickname: String,
      credential: Schema.Types.Mixed,
      status: String,
      status_reason: String,
      credits: Number,
      cooldown_until: Date,
      max_concurrent_jobs: Number,
      in_flight: Number,
      priority: Number,
      is_private: Boolean,
      total_submitted: Number,
      total_failed: Number,
      last_used: Date,
      created_at: Date,
      deleted: Boolean,
      revision: Number,
      credit_commands: [String],
    },
    { versionKey: false, minimize: false },
  );
  schema.index({ provider_id: 1, status: 1, priority: -1, last_used: 1 });
  return schema;
})();

export const accountModel = defineModel<AccountDoc>('Account', accountSchema);

/** Provider accounts as the dispatcher sees them. */
export interface AccountStore {
  /**
   * Reserves a slot on the best eligible account (priority, then least recently used)
   * in one write: the server picks and increments atomically, so replicas racing for
   * the same account each get a different one, or none when all are full.
   */
  reserveBest(providerId: string, cost: number, now: Date): Promise<AccountDoc | null>;
  /** Whether an account of the provider could take a job now if it had the credits. */
  hasFreeSlot(providerId: string, now: Date): Promise<boolean>;
  release(
    id: string,
    opts?: {
      failed?: boolean;
      refund?: number;
    },
  ): Promise<void>;
  charge(id: string, cost: number): Promise<void>;
  cooldown(id: string, until: Date, reason: string): Promise<void>;
  setStatus(id: string, status: AccountStatus, reason: string, credits?: number): Promise<void>;
  setCredits(id: string, credits: number): Promise<void>;
  get(id: string): Promise<AccountDoc | null>;
  all(): Promise<AccountDoc[]>;
  /** Accounts in use whose key is not sealed as `current`: another key id, or the older form (key rotation). */
  sealedUnderOtherKeys(current: { alg: SealedSecret['alg']; kid: string }): AsyncIterable<{
    id: string;
    accountId: string;
    credential: SealedSecret;
  }>;
  /** Swaps the sealed key only if it is still the one that was read (an admin may have changed it meanwhile). */
  replaceCredential(id: string, was: SealedSecret, next: SealedSecret): Promise<boolean>;
  /** Repairs a drifted counter, only if it still holds the value that was seen. */
  correctInFlight(id: string, seen: number, expected: number): Promise<boolean>;
  /** `commandId` (the event id) makes a top-up count once however often it is delivered. */
  apply(cmd: Command, now: Date, commandId?: string): Promise<AccountDoc | null>;
}

/**
 * Provider accounts, owned by the dispatcher. Every write is one atomic
 * single-document update; a reservation is a conditional `$inc` with
 * `in_flight < max_concurrent_jobs` in the filter, so any number of dispatcher
 * replicas never oversubscribe an account.
 */
export function createAccountStore(conn: Connection): AccountStore {
  const model = accountModel.model(conn);
  // Counter updates of many jobs (charges, releases) share round trips; they need no answer.
  const collection = accountModel.collection(conn);
  const counters = createGroupCommit(collection);
  const bump = { $inc: { revision: 1 } };
  const lean = AFTER;

  const eligible = (providerId: string, cost: number, now: Date): QueryFilter<AccountDoc> =>
    ({
      provider_id: providerId,
      deleted: false,
      credits: { $gte: cost },
      status: { $in: ['ACTIVE', 'RATE_LIMITED'] },
      $or: [{ cooldown_until: null }, { cooldown_until: { $lte: now } }],
      $expr: { $lt: ['$in_flight', '$max_concurrent_jobs'] },
    }) as QueryFilter<AccountDoc>;

  return {
    /**
     * Reserves a slot on the best eligible account (priority, then least recently used)
     * in one write: the server picks and increments atomically, so replicas racing for
     * the same account each get a different one, or none when all are full.
     */
    async reserveBest(providerId: string, cost: number, now: Date): Promise<AccountDoc | null> {
      // Once per job, so through the driver: mongoose would cast a filter and an update that
      // hold only strings, numbers and dates, and its casting shows in the service's profile.
      return (await collection.findOneAndUpdate(
        eligible(providerId, cost, now) as mongo.Filter<AccountDoc & mongo.Document>,
        { $inc: { in_flight: 1, revision: 1 }, $set: { last_used: now, status: 'ACTIVE', cooldown_until: null } },
        { returnDocument: 'after', sort: { priority: -1, last_used: 1, _id: 1 } },
      )) as AccountDoc | null;
    },
    /** Whether an account of the provider could take a job now if it had the credits. */
    async hasFreeSlot(providerId: string, now: Date): Promise<boolean> {
      const { credits: _credits, ...usable } = eligible(providerId, 0, now) as Record<string, unknown>;
      return (await model.exists(usable as QueryFilter<AccountDoc>).read(PRIMARY.readPreference)) !== null;
    },
    async release(id: string, opts: { failed?: boolean; refund?: number } = {}): Promise<void> {
      await counters.write({
        updateOne: {
          filter: { _id: id, in_flight: { $gt: 0 } },
          update: {
            $inc: { in_flight: -1, revision: 1, total_failed: opts.failed ? 1 : 0, credits: opts.refund ?? 0 },
          },
        },
      });
    },
    async charge(id: string, cost: number): Promise<void> {
      await counters.write({
        updateOne: { filter: { _id: id }, update: { $inc: { credits: -cost, total_submitted: 1, revision: 1 } } },
      });
    },
    async cooldown(id: string, until: Date, reason: string): Promise<void> {
      await model.updateOne(
        { _id: id, status: { $in: ['ACTIVE', 'RATE_LIMITED'] } },
        { $set: { status: 'RATE_LIMITED', cooldown_until: until, status_reason: reason }, ...bump },
      );
    },
    async setStatus(id: string, status: AccountStatus, reason: string, credits?: number): Promise<void> {
      await model.updateOne(
        { _id: id },
        { $set: { status, status_reason: reason, ...(credits === undefined ? {} : { credits }) }, ...bump },
      );
    },
    async setCredits(id: string, credits: number): Promise<void> {
      await model.updateOne({ _id: id }, { $set: { credits }, ...bump });
    },
    async get(id: string): Promise<AccountDoc | null> {
      return model.findById(id).read(PRIMARY.readPreference).lean() as Promise<AccountDoc | null>;
    },
    async all(): Promise<AccountDoc[]> {
      return model.find({}).read(PRIMARY.readPreference).lean() as Promise<AccountDoc[]>;
    },
    /** Accounts in use whose key is not sealed as `current`: another key id, or the older form (key rotation). */
    async *sealedUnderOtherKeys(current: {
      alg: SealedSecret['alg'];
      kid: string;
    }): AsyncIterable<{ id: string; accountId: string; credential: SealedSecret }> {
      const cursor = model
        .find(
          {
            deleted: false,
            $or: [{ 'credential.kid': { $ne: current.kid } }, { 'credential.alg': { $ne: current.alg } }],
          },
          { credential: 1 },
        )
        .lean()
        .cursor();
      for await (const doc of cursor) yield { id: doc._id, accountId: doc._id, credential: doc.credential };
    },
    /** Swaps the sealed key only if it is still the one that was read (an admin may have changed it meanwhile). */
    async replaceCredential(id: string, was: SealedSecret, next: SealedSecret): Promise<boolean> {
      const res = await model.updateOne(
        { _id: id, 'credential.kid': was.kid, 'credential.iv': was.iv },
        { $set: { credential: next } },
      );
      return res.modifiedCount === 1;
    },
    /** Repairs a drifted counter, only if it still holds the value that was seen. */
    async correctInFlight(id: string, seen: number, expected: number): Promise<boolean> {
      const res = await model.updateOne({ _id: id, in_flight: seen }, { $set: { in_flight: expected }, ...bump });
      return res.modifiedCount === 1;
    },
    /** `commandId` (the event id) makes a top-up count once however often it is delivered. */
    async apply(cmd: Command, now: Date, commandId?: string): Promise<AccountDoc | null> {
      switch (cmd.action) {
        case 'create':
          return model.findOneAndUpdate(
            { _id: cmd.account_id },
            {
              $setOnInsert: {
                provider_id: cmd.provider_id,
                email: cmd.email ?? null,
                nickname: cmd.nickname ?? null,
                credential: cmd.credential,
                status: 'ACTIVE',
                status_reason: null,
                credits: 0,
                cooldown_until: null,
                max_concurrent_jobs: cmd.max_concurrent_jobs ?? 2,
                in_flight: 0,
                priority: cmd.priority ?? 0,
                is_private: cmd.is_private ?? false,
                total_submitted: 0,
                total_failed: 0,
                last_used: null,
                created_at: now,
                deleted: false,
                revision: 1,
              },
            },
            { ...lean, upsert: true },
          ) as Promise<AccountDoc | null>;
        case 'update': {
          const set: Record<string, unknown> = {};
          for (const k of [
            'email',
            'nickname',
            'max_concurrent_jobs',
            'priority',
            'is_private',
            'credential',
          ] as const) {
            if (cmd[k] !== undefined) set[k] = cmd[k];
          }
          if (cmd.status)
            Object.assign(set, { status: cmd.status, status_reason: 'set by an admin', cooldown_until: null });
          const updated = (await model.findOneAndUpdate(
            { _id: cmd.account_id, deleted: false },
            { $set: set, ...bump },
            lean,
          )) as AccountDoc | null;
          // A new key is a new chance for an account set aside for its key (refused, or unreadable here).
          if (updated && cmd.credential && !cmd.status && updated.status === 'ERROR') {
            return model.findOneAndUpdate(
              { _id: cmd.account_id, status: 'ERROR' },
              { $set: { status: 'ACTIVE', status_reason: null }, ...bump },
              lean,
            ) as Promise<AccountDoc | null>;
          }
          return updated;
        }
        case 'delete':
          return model.findOneAndUpdate(
            { _id: cmd.account_id },
            { $set: { deleted: true, status: 'DISABLED', status_reason: 'deleted' }, ...bump },
            lean,
          ) as Promise<AccountDoc | null>;
        case 'add_credits': {
          const once = commandId
            ? {
                filter: { credit_commands: { $ne: commandId } },
                push: { $push: { credit_commands: { $each: [commandId], $slice: -CREDIT_COMMANDS_KEPT } } },
              }
            : { filter: {}, push: {} };
          await model.updateOne(
            { _id: cmd.account_id, ...once.filter },
            { $inc: { credits: cmd.credits, revision: 1 }, ...once.push },
          );
          // Revived on every delivery: the first may have died between these two writes.
          await model.updateOne(
            { _id: cmd.account_id, status: 'EXHAUSTED' },
            { $set: { status: 'ACTIVE', status_reason: null }, ...bump },
          );
          return model.findById(cmd.account_id).read(PRIMARY.readPreference).lean() as Promise<AccountDoc | null>;
        }
      }
    },
  };
}
