import type { LogPort } from '@pixsim/contracts';
import type { JobEvent } from '@pixsim/contracts';
import type { JobRecord } from '../store/job-store.js';

/** The two levels the journal writes at; a pino logger is one. */
export type JournalLogger = Pick<LogPort, 'info' | 'warn'>;

export interface JobJournal {
  /** The request was recorded for the first time: the job exists, or was refused at intake. */
  recorded(record: JobRecord, outcome: JobEvent): void;
  /** A later event was folded in; `previous` is what the record held before it. */
  changed(record: JobRecord, previous: Pick<JobRecord, 'status' | 'facts'>): void;
}

const seconds = (from: string | undefined, to: string | undefined): number | undefined => {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? Math.round(ms / 100) / 10 : undefined;
};

/**
 * One log line per step of a job's life, so an operator can follow a job by its id in
 * the logs alone. The system of record writes them as it records each fact, so a
 * redelivered event (which changes nothing) writes nothing, and every job's end is
 * logged once whichever service decided it: failures at `warn`, the rest at `info`.
 */
export function createJobJournal(logger: JournalLogger): JobJournal {
  return {
    recorded(record, outcome) {
      const request = record.request;
      if (outcome.type === 'JOB_FAILED') {
        const { error_code, error_message } = outcome.data;
        logger.warn(
          { job_id: record._id, user_id: request?.user_id, error_code, error_message },
          `job refused at intake: ${error_code}: ${error_message}`,
        );
        return;
      }
      logger.info(
        {
          job_id: record._id,
          user_id: request?.user_id,
          provider_id: request?.provider_id,
          operation_type: request?.operation_type,
        },
        'job created',
      );
    },

    changed(record, previous) {
      const { facts } = record;
      const job_id = record._id;
      const sub = facts.submission;
      if (sub && sub.attempt !== previous.facts.submission?.attempt) {
        logger.info(
          { job_id, provider_job_id: sub.provider_job_id, account_id: sub.account_id, attempt: sub.attempt },
          `job submitted to the provider as ${sub.provider_job_id} (attempt ${sub.attempt})`,
        );
      }
      const deferral = facts.deferral;
      if (deferral && deferral.reason !== previous.facts.deferral?.reason && record.status === 'PENDING') {
        logger.info({ job_id, reason: deferral.reason, until: deferral.until }, `job waiting: ${deferral.reason}`);
      }
      if (record.status !== previous.status) {
        const end = facts.terminal;
        const took = seconds(record.request?.requested_at, end?.at);
        const timing = took === undefined ? {} : { seconds: took };
        if (record.status === 'COMPLETED') {
          logger.info(
            { job_id, provider_job_id: sub?.provider_job_id, ...timing },
            took === undefined ? 'job completed' : `job completed in ${took} s`,
          );
        } else if (record.status === 'FAILED') {
          logger.warn(
            {
              job_id,
              error_code: end?.error_code,
              error_message: end?.error_message,
              retry_count: facts.retry_count,
              provider_job_id: sub?.provider_job_id,
              ...timing,
            },
            `job failed: ${end?.error_code ?? 'unknown'}${end?.error_message ? `: ${end.error_message}` : ''}`,
          );
        } else if (record.status === 'CANCELLED') {
          logger.info({ job_id, ...timing }, 'job cancelled');
        }
      }
      if (facts.asset_id && facts.asset_id !== previous.facts.asset_id) {
        logger.info({ job_id, asset_id: facts.asset_id }, `asset ${facts.asset_id} stored for the job`);
      }
    },
  };
}
