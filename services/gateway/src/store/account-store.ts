import { Schema, type Connection } from 'mongoose';
import { afterCursor, NEWEST_FIRST } from '../http/pagination.js';
import { accountRecordOf, type AccountRecord } from '../read-model/account-record.js';
import { defineModel, isDuplicateKey } from '@pixsim/persistence';
import type { AccountStore } from './ports.js';

const accountSchema = new Schema<AccountRecord>(
  {
    _id: String,
    provider_id: String,
    email: String,
    nickname: String,
    status: String,
    credits: Number,
    cooldown_until: String,
    max_concurrent_jobs: Number,
    in_flight: Number,
    priority: Number,
    total_submitted: Number,
    total_failed: Number,
    last_used: String,
    created_at: Date,
    deleted: Boolean,
    revision: Number,
    provisional: Boolean,
  },
  { collection: 'accounts', versionKey: false },
);
accountSchema.index({ deleted: 1, created_at: -1, _id: -1 });

export const accountModel = defineModel<AccountRecord>('Account', accountSchema);

export async function createAccountStore(conn: Connection): Promise<AccountStore> {
  const Account = accountModel.model(conn);
  const accounts = accountModel.collection(conn);
  await Account.init();
  return {
    async insertProvisional(record) {
      const { _id, ...fields } = record;
      try {
        await accounts.updateOne({ _id }, { $setOnInsert: fields }, { upsert: true });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    },
    async applyUpdate(data) {
      const { _id, ...fields } = accountRecordOf(data);
      // Only a newer revision (or any over the provisional view) matches; an older one
      // finds no document, its upsert then collides on _id, and it is dropped.
      const newer = { _id, $or: [{ revision: { $lt: data.revision } }, { provisional: true }] };
      try {
        const res = await accounts.updateOne(newer, { $set: fields }, { upsert: true });
        return res.modifiedCount + res.upsertedCount > 0;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async get(accountId) {
      return Account.findOne({ _id: accountId, deleted: false }).lean<AccountRecord>().exec();
    },
    async list(q) {
      const filter: Record<string, unknown> = { deleted: false, ...afterCursor(q.after) };
      if (q.providerId !== undefined) filter.provider_id = q.providerId;
      if (q.status !== undefined) filter.status = q.status;
      return Account.find(filter)
        .sort(NEWEST_FIRST)
        .limit(q.limit + 1)
        .lean<AccountRecord[]>()
        .exec();
    },
  };
}
