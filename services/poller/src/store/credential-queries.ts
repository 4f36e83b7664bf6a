import type { Model } from 'mongoose';
import type { GenerationStore } from '../generation.js';
import type { GenerationDoc } from './generation-model.js';

type CredentialQueries = Pick<GenerationStore, 'sealedUnderOtherKeys' | 'replaceCredential'>;

/** Key rotation: the polling generations' sealed credentials, found and sealed again. */
export function credentialQueries(model: Model<GenerationDoc>): CredentialQueries {
  return {
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
