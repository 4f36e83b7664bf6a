import type { Connection } from 'mongoose';
import { createGroupCommit } from '@pixsim/persistence';
import type { GenerationStore } from '../generation.js';
import { claimQueries } from './claim-queries.js';
import { credentialQueries } from './credential-queries.js';
import { endQueries } from './end-queries.js';
import { generationModel } from './generation-model.js';
import { ledgerQueries } from './ledger-queries.js';

/** How long a `finish` mark waits for others to share its round trip, in ms (far inside a lease). */
const FINISH_LINGER_MS = 100;

/**
 * Mongoose-backed store; every change is an atomic single-document update, though several
 * may share a round trip (a group commit, docs/decisions/0009-group-commits.md). The unique index on job_id (built by the migration) is what
 * makes the upserts insert once.
 */
export async function openGenerationStore(conn: Connection): Promise<GenerationStore> {
  const model = generationModel.model(conn);
  // Where indexes are built on compile (development, tests), wait for them; in production
  // (autoIndex off) this returns at once and the migration has built them.
  await model.init();
  // The single-document writes of every role (records, reschedules, ends) share one group
  // commit: those made while a bulkWrite is on the wire go out together in the next.
  const writes = createGroupCommit(generationModel.collection(conn));
  // The mark that an end was announced is written behind its event, and no one waits on it:
  // it lingers for others. One lost to a crash leaves the end to announceStranded, which
  // publishes it again under the same id.
  const marks = createGroupCommit(generationModel.collection(conn), { lingerMs: FINISH_LINGER_MS });
  return {
    ...ledgerQueries(model, writes),
    ...claimQueries(model, writes),
    ...endQueries(model, writes, marks),
    ...credentialQueries(model),
  };
}
