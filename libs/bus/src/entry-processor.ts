import {
  EVENT_SCHEMAS,
  formatIssues,
  isPermanent,
  isTransient,
  parseEnvelope,
  PixsimError,
  SchemaError,
  type Envelope,
  type EventData,
  type EventType,
  type Keys,
  type LogPort,
} from '@pixsim/contracts';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import { moveToDeadLetter } from './dead-letter.js';
import { withConsumerSpan } from './tracing.js';
import type { AckBatcher } from './acks.js';
import type { BusHooks, HandleOutcome, RedisClient } from './types.js';

export interface ConsumedEvent<T extends EventType> extends Omit<Envelope<EventData<T>>, 'type'> {
  type: T;
  /** The stream entry id (not the event id). */
  streamId: string;
  /** How many times the stream has delivered this entry, this delivery included. */
  deliveries: number;
  /** Attempt within this delivery, from 1. */
  attempt: number;
  /** Aborted when the consumer stops: a long handler may give up and let the entry be redelivered. */
  signal: AbortSignal;
}

export type EventHandler<T extends EventType> = (event: ConsumedEvent<T>) => Promise<void>;

export interface ProcessorOptions<T extends EventType> {
  redis: RedisClient;
  keys: Keys;
  type: T;
  /** The stream partition this processor settles entries of. */
  partition: number;
  group: string;
  consumer: string;
  handler: EventHandler<T>;
  acks: AckBatcher;
  logger: LogPort;
  hooks: BusHooks;
  /** Non-transient handler errors before the entry is dead-lettered. */
  maxAttempts: number;
  /** Deliveries (a consumer died each time) before the entry is dead-lettered. */
  maxDeliveries: number;
  backoff: BackoffOptions;
  signal: AbortSignal;
}

/**
 * Handles one entry to its end: acknowledged after the handler succeeds,
 * retried in place with backoff, dead-lettered when poison, or left pending
 * (to be redelivered) when the consumer stops mid-retry. Never throws.
 */
export function createEntryProcessor<T extends EventType>(opts: ProcessorOptions<T>) {
  const { redis, keys, type, partition, group, consumer, logger, hooks } = opts;
  const stream = keys.stream(type, partition);
  const schema = EVENT_SCHEMAS[type];

  const finish = (outcome: HandleOutcome, started: number, errorCode?: string, ended = performance.now()) => {
    if (!hooks.onHandled) return;
    const handled: Parameters<NonNullable<BusHooks['onHandled']>>[0] = {
      type,
      group,
      outcome,
      durationMs: ended - started,
    };
    if (errorCode) handled.errorCode = errorCode;
    hooks.onHandled(handled);
  };

  const deadLetter = async (streamId: string, fields: string[] | null, deliveries: number, err: unknown) => {
    const code = err instanceof PixsimError ? err.code : 'HANDLER_FAILED';
    const reason = (err as Error)?.message ?? String(err);
    await moveToDeadLetter(redis, keys, type, fields, {
      reason,
      code,
      group,
      consumer,
      sourceId: streamId,
      deliveries,
      partition,
    });
    hooks.onDeadLetter?.({ type, group, reason, code });
    logger.error(
      { err, stream, group, streamId, code, deliveries, ...identify(fields) },
      'entry moved to the dead-letter stream',
    );
  };

  const decode = (fields: string[] | null): Envelope<EventData<T>> => {
    if (!fields) throw new SchemaError('entry has no fields (trimmed before it was handled)');
    const env = parseEnvelope(fields);
    if (env.type !== type) throw new SchemaError(`entry of type ${env.type} on the ${type} stream`);
    const parsed = schema.schema.safeParse(env.data);
    if (!parsed.success) throw new SchemaError(`${type} ${env.id}: ${formatIssues(parsed.error)}`, parsed.error.issues);
    // The envelope is this call's own object: swap in the checked data rather than copy it.
    env.data = parsed.data;
    return env as Envelope<EventData<T>>;
  };

  return async function process(streamId: string, fields: string[] | null, deliveries: number): Promise<void> {
    const started = performance.now();
    try {
      let env: Envelope<EventData<T>>;
      try {
        env = decode(fields);
      } catch (err) {
        await deadLetter(streamId, fields, deliveries, err);
        return finish('dead_letter', started, 'SCHEMA_INVALID');
      }
      if (deliveries > opts.maxDeliveries) {
        const err = new PixsimError(
          'DELIVERIES_EXCEEDED',
          `delivered ${deliveries} times without an ack (max ${opts.maxDeliveries}): a consumer probably died ` +
            `handling it`,
        );
        await deadLetter(streamId, fields, deliveries, err);
        return finish('dead_letter', started, err.code);
      }
      const span = { destination: stream, group, messageId: env.id, streamId, deliveries };
      for (let attempt = 1, failures = 0; ; attempt++) {
        // Built field by field rather than spread from the envelope: one shape for every entry
        // keeps this per-entry step cheap (a spread of envelopes of varying shapes is not).
        const event: ConsumedEvent<T> = {
          id: env.id,
          type,
          v: env.v,
          at: env.at,
          traceparent: env.traceparent,
          tracestate: env.tracestate,
          data: env.data,
          streamId,
          deliveries,
          attempt,
          signal: opts.signal,
        };
        try {
          await withConsumerSpan(span, env, () => opts.handler(event));
          // The slot is free once the handler is done; the batched XACK follows.
          const ended = performance.now(); // the handler's time, not the batched ack's wait
          void opts.acks.ack(streamId).then(() => finish('ok', started, undefined, ended));
          return;
        } catch (err) {
          const transient = !isPermanent(err) && isTransient(err);
          if (!transient) failures++;
          if (isPermanent(err) || failures >= opts.maxAttempts) {
            await deadLetter(streamId, fields, deliveries, err);
            return finish('dead_letter', started, err instanceof PixsimError ? err.code : 'HANDLER_FAILED');
          }
          logger.warn({ err, stream, group, attempt, transient, ...identify(fields) }, 'handler failed; retrying');
          hooks.onHandled?.({ type, group, outcome: 'retry', durationMs: performance.now() - started });
          if (!(await sleep(backoffDelay(attempt - 1, opts.backoff), opts.signal))) {
            return finish('abandoned', started);
          }
        }
      }
    } catch (err) {
      // Redis itself failed (dead-lettering or acking): the entry stays pending
      // and is redelivered; nothing is lost.
      logger.error({ err, stream, group, streamId }, 'could not settle entry; it stays pending');
      finish('abandoned', started);
    }
  };
}

/**
 * What an operator greps for, read from the raw fields (they may not parse): the event
 * id, the job id inside the data, and the trace id of its traceparent. Only on the rare
 * paths that log (a retry, a dead letter), so the JSON is parsed again there.
 */
function identify(fields: readonly string[] | null): { event_id?: string; job_id?: string; trace_id?: string } {
  const out: { event_id?: string; job_id?: string; trace_id?: string } = {};
  for (let i = 0; fields && i + 1 < fields.length; i += 2) {
    const value = fields[i + 1]!;
    if (fields[i] === 'id') out.event_id = value;
    else if (fields[i] === 'traceparent') out.trace_id = value.split('-')[1];
    else if (fields[i] === 'data') {
      try {
        const jobId = (JSON.parse(value) as { job_id?: unknown } | null)?.job_id;
        if (typeof jobId === 'string') out.job_id = jobId;
      } catch {
        /* not JSON: the dead letter's reason says so */
      }
    }
  }
  return out;
}
