import { context, propagation } from '@opentelemetry/api';
import type { ConsumedEvent } from '@pixsim/bus';
import { jobFailed, type Publish } from '../events.js';
import type { Generation, LedgerStore } from '../generation.js';
import type { PollLoop } from '../poll-loop-port.js';

export interface HandlerDeps {
  store: LedgerStore;
  publish: Publish;
  clock: () => Date;
}

const announceCancel = (publish: Publish, gen: Generation) =>
  // failed_at is the stored cancel time, so a redelivery re-publishes the very same event.
  publish(
    jobFailed(gen, 'cancel', 'CANCELLED_BY_USER', 'the user cancelled the job', gen.ended_at ?? gen.submitted_at),
  );

/**
 * JOB_SUBMITTED: start following the generation (or cancel it at once when a cancel came
 * first). With a `holder` (this replica's poll loop) a new generation is recorded leased
 * to this replica and polled from its memory at the first poll's time, without waiting
 * for a claim; a replica that dies holding it leaves the lease to run out, as a claimed one.
 */
export function createSubmittedHandler(
  deps: HandlerDeps & { firstPollDelayMs: number; holder?: Pick<PollLoop, 'leaseNew' | 'takeUp'> },
) {
  return async (event: ConsumedEvent<'JOB_SUBMITTED'>): Promise<void> => {
    const d = event.data;
    const submittedAt = new Date(d.submitted_at);
    const firstPollAt = new Date(submittedAt.getTime() + deps.firstPollDelayMs);
    const lease = deps.holder?.leaseNew(firstPollAt) ?? null;
    let gen: Generation | null = null;
    try {
      gen = await deps.store.recordSubmission(
        {
          job_id: d.job_id,
          user_id: d.user_id,
          provider_id: d.provider_id,
          provider_job_id: d.provider_job_id,
          account_id: d.account_id,
          credential: d.credential,
          duration_sec: d.duration_sec,
          attempt: d.attempt,
          submitted_at: submittedAt,
          trace: currentTraceContext(),
        },
        firstPollAt,
        deps.clock(),
        lease ?? undefined,
      );
    } finally {
      if (lease) deps.holder!.takeUp(lease, gen, firstPollAt);
    }
    if (gen?.status === 'cancelled') await announceCancel(deps.publish, gen);
  };
}

/** JOB_CANCEL_REQUESTED: cancel a polling generation, or leave a tombstone for a later submission. */
export function createCancelHandler(deps: HandlerDeps) {
  return async (event: ConsumedEvent<'JOB_CANCEL_REQUESTED'>): Promise<void> => {
    const gen = await deps.store.cancel(event.data.job_id, deps.clock());
    if (gen) await announceCancel(deps.publish, gen);
  };
}

/** JOB_FAILED: the job ended elsewhere (dispatch, cancel): stop polling it, quietly. */
export function createJobFailedHandler(deps: Omit<HandlerDeps, 'publish'>) {
  return async (event: ConsumedEvent<'JOB_FAILED'>): Promise<void> => {
    // Stage 'poll' is this service's own outcome; the loop ends the generation itself, with its reason.
    if (event.data.stage === 'poll') return;
    await deps.store.stopPolling(event.data.job_id, deps.clock());
  };
}

/** The active span's W3C context as entry fields (empty when tracing is off). */
function currentTraceContext(): { traceparent?: string; tracestate?: string } {
  const carrier: { traceparent?: string; tracestate?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}
