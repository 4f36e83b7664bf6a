import {
  EVENT_SCHEMAS,
  formatIssues,
  SchemaError,
  toStreamFields,
  type EventData,
  type EventType,
  type Keys,
} from '@pixsim/contracts';
import type { RedisClient } from './types.js';
import { withProducerSpan, type TraceCarrier } from './tracing.js';

/**
 * Adds the entry unless its event id was already published: a producer that
 * crashed after publishing and runs again re-emits the same id, and the stream
 * stays free of the repeat. SET NX and XADD run as one atomic script.
 */
const PUBLISH_ONCE = `
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
`;

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
  /** Publishes in one pipeline under one PRODUCER span; results are in input order. */
  publishMany(inputs: readonly PublishInput[]): Promise<PublishResult[]>;
}

export interface PublisherOptions {
  redis: RedisClient;
  keys: Keys;
  /** Approximate stream cap (XADD MAXLEN ~); far above any plausible lag. */
  maxLen?: number;
  /**
   * Remember each event id for this long and skip a repeat (0, the default:
   * off). Consumers are idempotent on the event id either way; this keeps the
   * repeat off the stream at the price of one more key write per event.
   */
  dedupeTtlSec?: number;
}

type Pipeline = ReturnType<RedisClient['pipeline']>;
type ScriptClient = { pixsimPublishOnce(...args: string[]): Promise<unknown> };

export function createPublisher(opts: PublisherOptions): Publisher {
  const { redis, keys } = opts;
  const maxLen = String(opts.maxLen ?? 1_000_000);
  const ttl = opts.dedupeTtlSec ?? 0;
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

  const queue = (target: Pipeline, input: PublishInput, fields: string[]) => {
    const stream = keys.stream(input.type);
    if (ttl > 0) {
      (target as unknown as ScriptClient).pixsimPublishOnce(
        stream,
        keys.published(input.type, input.id),
        String(ttl),
        maxLen,
        ...fields,
      );
    } else {
      target.xadd(stream, 'MAXLEN', '~', maxLen, '*', ...fields);
    }
  };

  const send = (inputs: readonly PublishInput[], destination: string): Promise<PublishResult[]> =>
    withProducerSpan(destination, inputs.length === 1 ? inputs[0]!.id : undefined, async (carrier) => {
      const p = redis.pipeline();
      for (const input of inputs) queue(p, input, fieldsOf(input, carrier));
      // A refused command fails the publish, and the span with it.
      return ((await p.exec()) ?? []).map(([err, streamId]) => {
        if (err) throw err;
        return { streamId: (streamId as string | null) ?? null };
      });
    });

  return {
    async publish(input) {
      return (await send([input], keys.stream(input.type)))[0]!;
    },
    async publishMany(inputs) {
      if (inputs.length === 0) return [];
      const types = new Set(inputs.map((i) => i.type));
      return send(inputs, types.size === 1 ? keys.stream(inputs[0]!.type) : `${keys.prefix}:*`);
    },
  };
}
