import {
  CONSUMERS,
  EVENT_SCHEMAS,
  formatIssues,
  partitionKeyOf,
  partitionOf,
  SchemaError,
  toStreamFields,
  type EventData,
  type EventType,
  type Keys,
} from '@pixsim/contracts';
import { ReplicationTimeoutError, StreamOverBudgetError } from './errors.js';
import { trimBehindGroups } from './trim.js';
import type { RedisClient } from './types.js';
import { withProducerSpan, type TraceCarrier } from './tracing.js';

/**
 * Adds the entry unless its event id was already published: a producer that
 * crashed after publishing and runs again re-emits the same id, and the stream
 * stays free of the repeat. SET NX and XADD run as one atomic script; the mark
 * carries the stream as its hash tag, so both keys are in one cluster slot.
 */
const PUBLISH_ONCE = `
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
`;

/** Entries a stream may hold before publishes are refused (STREAM_MAX_LEN's default). */
export const DEFAULT_STREAM_MAX_LEN = 1_000_000;

export interface PublishInput<T extends EventType = EventType> {
  type: T;
  /** Deterministic event id, e.g. eventIds.jobSubmitted(jobId, attempt). */
  id: string;
  data: EventData<T>;
  /** Time of the fact; now by default. */
  at?: string;
}

export interface PublishResult {
  /** The stream entry id, or null when this event id was already published. */
  streamId: string | null;
}

export interface Publisher {
  publish<T extends EventType>(input: PublishInput<T>): Promise<PublishResult>;
  /** Publishes under one PRODUCER span, one batch of commands per stream partition; results are in input order. */
  publishMany(inputs: readonly PublishInput[]): Promise<PublishResult[]>;
}

export interface ReplicationOptions {
  /** Replicas that must confirm the write (WAIT <replicas> <timeoutMs>) before the publish returns. */
  replicas: number;
  timeoutMs: number;
  /** Only publishes of these types wait (all when unset), e.g. the ones acknowledged to a client. */
  types?: readonly EventType[];
}

export interface PublisherOptions {
  redis: RedisClient;
  keys: Keys;
  /**
   * The stream's budget, in entries (STREAM_MAX_LEN). Past it, and after trimming
   * behind the slowest group, publishes are refused with StreamOverBudgetError:
   * nothing unread is ever cut.
   */
  maxLen?: number;
  /** How often a stream's length is checked against the budget, per stream. */
  budgetCheckMs?: number;
  /** The groups that must exist before a stream is trimmed: CONSUMERS[type] by default. */
  groupsOf?: (type: EventType) => readonly string[];
  /**
   * Remember each event id for this long and skip a repeat (0, the default:
   * off). Consumers are idempotent on the event id either way; this keeps the
   * repeat off the stream at the price of one more key write per event.
   */
  dedupeTtlSec?: number;
  /** Wait for replicas after writing (off by default): what a failover must not lose. */
  replication?: ReplicationOptions;
}

type Pipeline = ReturnType<RedisClient['pipeline']>;
type ScriptClient = { pixsimPublishOnce(...args: string[]): Promise<unknown> };

interface BudgetState {
  checkedAt: number;
  length: number;
  checking: Promise<void> | null;
}

export function createPublisher(opts: PublisherOptions): Publisher {
  const { redis, keys } = opts;
  const budget = opts.maxLen ?? DEFAULT_STREAM_MAX_LEN;
  const budgetCheckMs = opts.budgetCheckMs ?? 1_000;
  const groupsOf = opts.groupsOf ?? ((type: EventType) => CONSUMERS[type]);
  const ttl = opts.dedupeTtlSec ?? 0;
  const replication = opts.replication && opts.replication.replicas > 0 ? opts.replication : null;
  if (ttl > 0 && !(redis as unknown as Partial<ScriptClient>).pixsimPublishOnce) {
    redis.defineCommand('pixsimPublishOnce', { numberOfKeys: 2, lua: PUBLISH_ONCE });
  }

  const fieldsOf = (input: PublishInput, carrier: TraceCarrier): string[] => {
    const schema = EVENT_SCHEMAS[input.type];
    const parsed = schema.schema.safeParse(input.data);
    if (!parsed.success) {
      throw new SchemaError(`${input.type} ${input.id}: ${formatIssues(parsed.error)}`, parsed.error.issues);
    }
    return toStreamFields({
      id: input.id,
      type: input.type,
      v: schema.v,
      at: input.at ?? new Date().toISOString(),
      traceparent: carrier.traceparent,
      tracestate: carrier.tracestate,
      data: parsed.data,
    });
  };

  const partitionOfInput = (input: PublishInput) =>
    partitionOf(partitionKeyOf(input.type, input.id, input.data), keys.partitions);

  // The budget: a stream's length is read at most once per budgetCheckMs; while it
  // is over, publishes fail at once without a round trip.
  const budgets = new Map<string, BudgetState>();
  // Between readings the check is synchronous (undefined): no promise on a publish's way.
  const checkBudget = (type: EventType, stream: string): Promise<void> | undefined => {
    let state = budgets.get(stream);
    if (!state) budgets.set(stream, (state = { checkedAt: 0, length: 0, checking: null }));
    if (Date.now() - state.checkedAt >= budgetCheckMs) return readBudget(type, stream, state);
    if (state.length >= budget) throw new StreamOverBudgetError(stream, state.length, budget);
    return undefined;
  };
  const readBudget = async (type: EventType, stream: string, s: BudgetState): Promise<void> => {
    s.checking ??= (async () => {
      try {
        let length = await redis.xlen(stream);
        if (length >= budget) {
          await trimBehindGroups(redis, stream, groupsOf(type));
          length = await redis.xlen(stream);
        }
        s.length = length;
        s.checkedAt = Date.now();
      } finally {
        s.checking = null;
      }
    })();
    await s.checking;
    if (s.length >= budget) throw new StreamOverBudgetError(stream, s.length, budget);
  };

  /** Adds one entry on `target`: a pipeline (returns the pipeline) or the client itself (returns the reply). */
  const add = (target: Pipeline | RedisClient, input: PublishInput, partition: number, fields: string[]): unknown => {
    const stream = keys.stream(input.type, partition);
    return ttl > 0
      ? (target as unknown as ScriptClient).pixsimPublishOnce(
          stream,
          keys.published(input.type, input.id, partition),
          String(ttl),
          ...fields,
        )
      : target.call('XADD', stream, '*', ...fields);
  };

  // With auto-pipelining, commands sent on the client in one event-loop turn leave in one
  // write, across every caller: a busy gateway's publishes share a write instead of paying
  // a pipeline and a syscall each. Without it, a pipeline per batch does that for the batch.
  const autoPipelined = Boolean(redis.options.enableAutoPipelining);

  /** The batch's stream ids in its order; the first refused command fails the batch. */
  const sendBatch = async (
    stream: string,
    batch: { type: EventType; partition: number; at: number[]; fields: string[][] },
    inputs: readonly PublishInput[],
  ): Promise<(string | null)[]> => {
    const waits = replication && (!replication.types || replication.types.includes(batch.type));
    if (autoPipelined && !waits) {
      const sent = batch.at.map(
        (i, k) => add(redis, inputs[i]!, batch.partition, batch.fields[k]!) as Promise<unknown>,
      );
      return ((await Promise.all(sent)) as (string | null)[]).map((id) => id ?? null);
    }
    const p = redis.pipeline();
    for (const [k, i] of batch.at.entries()) add(p, inputs[i]!, batch.partition, batch.fields[k]!);
    // WAIT has no key: in a cluster pipeline it rides to the node of the XADDs before it.
    if (waits) p.call('WAIT', replication.replicas, replication.timeoutMs);
    const replies = (await p.exec()) ?? [];
    const ids = batch.at.map((_, k) => {
      const [err, streamId] = replies[k] ?? [new Error('pipeline reply missing'), null];
      if (err) throw err;
      return (streamId as string | null) ?? null;
    });
    if (waits) {
      const [err, acked] = replies[batch.at.length] ?? [new Error('WAIT reply missing'), 0];
      if (err) throw err;
      if (Number(acked) < replication.replicas) {
        throw new ReplicationTimeoutError(stream, Number(acked), replication.replicas, replication.timeoutMs);
      }
    }
    return ids;
  };

  /** One batch per stream partition (a cluster pipeline may not span slots), sent in parallel. */
  const send = (inputs: readonly PublishInput[], destination: string): Promise<PublishResult[]> =>
    withProducerSpan(destination, inputs.length === 1 ? inputs[0]!.id : undefined, async (carrier) => {
      const byStream = new Map<string, { type: EventType; partition: number; at: number[]; fields: string[][] }>();
      inputs.forEach((input, i) => {
        const fields = fieldsOf(input, carrier); // every payload is checked before anything is sent
        const partition = partitionOfInput(input);
        const stream = keys.stream(input.type, partition);
        let batch = byStream.get(stream);
        if (!batch) byStream.set(stream, (batch = { type: input.type, partition, at: [], fields: [] }));
        batch.at.push(i);
        batch.fields.push(fields);
      });
      const results: PublishResult[] = new Array(inputs.length);
      await Promise.all(
        [...byStream].map(async ([stream, batch]) => {
          await checkBudget(batch.type, stream);
          // A refused command fails the publish, and the span with it.
          const ids = await sendBatch(stream, batch, inputs);
          batch.at.forEach((i, k) => {
            results[i] = { streamId: ids[k] ?? null };
          });
        }),
      );
      return results;
    });

  /**
   * One event, the common case (a request's command, a handler's outcome): the same steps as
   * `send` without its grouping by stream, which at thousands of publishes a second was a
   * measurable share of a service's garbage.
   */
  const sendOne = (input: PublishInput): Promise<PublishResult> => {
    const partition = partitionOfInput(input);
    const stream = keys.stream(input.type, partition);
    const waits = replication && (!replication.types || replication.types.includes(input.type));
    if (!autoPipelined || waits) return send([input], stream).then((results) => results[0]!);
    return withProducerSpan(stream, input.id, async (carrier) => {
      const fields = fieldsOf(input, carrier);
      const checking = checkBudget(input.type, stream);
      if (checking) await checking;
      const streamId = (await add(redis, input, partition, fields)) as string | null;
      return { streamId: streamId ?? null };
    });
  };

  return {
    publish: sendOne,
    async publishMany(inputs) {
      if (inputs.length === 0) return [];
      const types = new Set(inputs.map((i) => i.type));
      const destination = types.size === 1 && keys.partitions === 1 ? keys.stream(inputs[0]!.type) : `${keys.prefix}:*`;
      return send(inputs, destination);
    },
  };
}
