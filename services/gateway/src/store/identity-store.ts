import { Schema, type Connection } from 'mongoose';
import { afterCursor, NEWEST_FIRST } from '../http/pagination.js';
import { defineModel, isDuplicateKey } from '@pixsim/persistence';
import type { ApiKeyRecord, IdentityStores, SessionRecord, UserRecord } from '../identity/ports.js';

/** Expired and revoked sessions are kept this long after `expires_at`, then expire (TTL). */
const SESSION_KEEP_SECONDS = 7 * 86_400;

const userSchema = new Schema<UserRecord>(
  {
    _id: String,
    email: String,
    email_lower: String,
    password_hash: String,
    role: String,
    created_at: Date,
    disabled: Boolean,
    quota_overrides: Schema.Types.Mixed,
    callback_secret: Schema.Types.Mixed,
  },
  { collection: 'users', versionKey: false },
);
userSchema.index({ email_lower: 1 }, { unique: true });
userSchema.index({ created_at: -1, _id: -1 });
userSchema.index({ role: 1 });

const sessionSchema = new Schema<SessionRecord>(
  { _id: String, user_id: String, created_at: Date, expires_at: Date, revoked_at: Date },
  { collection: 'sessions', versionKey: false },
);
// Sessions are looked up by _id; the TTL index only sweeps dead ones, kept 7 days after
// expiry (revoked ones too: a revoked session's expires_at still comes).
sessionSchema.index({ expires_at: 1 }, { expireAfterSeconds: SESSION_KEEP_SECONDS });

const apiKeySchema = new Schema<ApiKeyRecord>(
  { _id: String, user_id: String, name: String, key_hash: String, prefix: String, created_at: Date, revoked_at: Date },
  { collection: 'api_keys', versionKey: false },
);
apiKeySchema.index({ key_hash: 1 }, { unique: true });
apiKeySchema.index({ user_id: 1, created_at: -1 });

export const userModel = defineModel<UserRecord>('User', userSchema);
export const sessionModel = defineModel<SessionRecord>('Session', sessionSchema);
export const apiKeyModel = defineModel<ApiKeyRecord>('ApiKey', apiKeySchema);

/** Users, sessions and API keys: the gateway's own identity data. */
export async function createIdentityStores(conn: Connection): Promise<IdentityStores> {
  const User = userModel.model(conn);
  const Session = sessionModel.model(conn);
  const ApiKey = apiKeyModel.model(conn);
  await Promise.all([User.init(), Session.init(), ApiKey.init()]);

  return {
    users: {
      async insert(user) {
        try {
          await userModel.collection(conn).insertOne(user);
          return true;
        } catch (err) {
          if (isDuplicateKey(err, 'email_lower')) return false; // the email is taken
          throw err;
        }
      },
      get: (userId) => User.findById(userId).lean<UserRecord>().exec(),
      findByEmail: (email) => User.findOne({ email_lower: email.toLowerCase() }).lean<UserRecord>().exec(),
      setRole: (userId, role) =>
        User.findByIdAndUpdate(userId, { $set: { role } }, { new: true }).lean<UserRecord>().exec(),
      async update(userId, changes) {
        const set: Record<string, unknown> = {};
        const unset: Record<string, ''> = {};
        for (const key of ['disabled', 'role', 'password_hash', 'callback_secret'] as const)
          if (changes[key] !== undefined) set[key] = changes[key];
        for (const [key, value] of Object.entries(changes.quota ?? {})) {
          if (value === null) unset[`quota_overrides.${key}`] = '';
          else if (value !== undefined) set[`quota_overrides.${key}`] = value;
        }
        const update = {
          ...(Object.keys(set).length ? { $set: set } : {}),
          ...(Object.keys(unset).length ? { $unset: unset } : {}),
        };
        if (Object.keys(update).length === 0) return User.findById(userId).lean<UserRecord>().exec();
        return User.findByIdAndUpdate(userId, update, { new: true }).lean<UserRecord>().exec();
      },
      list({ q, limit, after }) {
        const escaped = q?.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const match = q ? { $or: [{ email_lower: { $regex: `^${escaped}` } }, { _id: q }] } : {};
        return User.find({ $and: [match, afterCursor(after)] })
          .sort(NEWEST_FIRST)
          .limit(limit + 1)
          .lean<UserRecord[]>()
          .exec();
      },
      hasAdmin: async () => (await User.exists({ role: 'admin' })) !== null,
    },
    sessions: {
      async insert(session) {
        await sessionModel.collection(conn).insertOne(session);
      },
      findLive: (sessionId, now) =>
        Session.findOne({ _id: sessionId, revoked_at: null, expires_at: { $gt: now } })
          .lean<SessionRecord>()
          .exec(),
      async revoke(sessionId, now) {
        await sessionModel.collection(conn).updateOne(
          { _id: sessionId, revoked_at: null },
          {
            $set: { revoked_at: now },
          },
        );
      },
    },
    apiKeys: {
      async insert(key) {
        await apiKeyModel.collection(conn).insertOne(key);
      },
      findActiveByHash: (keyHash) =>
        ApiKey.findOne({ key_hash: keyHash, revoked_at: null }).lean<ApiKeyRecord>().exec(),
      listActive: (userId) =>
        ApiKey.find({ user_id: userId, revoked_at: null })
          .sort({ created_at: -1 })
          .limit(1000)
          .lean<ApiKeyRecord[]>()
          .exec(),
      async revoke(userId, keyId, now) {
        const res = await apiKeyModel.collection(conn).updateOne(
          { _id: keyId, user_id: userId, revoked_at: null },
          {
            $set: { revoked_at: now },
          },
        );
        return res.modifiedCount === 1;
      },
    },
  };
}
