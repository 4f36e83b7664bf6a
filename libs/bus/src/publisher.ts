import {
  EVENT_SCHEMAS, formatIssues, SchemaError, toStreamFields, type EventData, type EventType, type Keys,
} from '@pixsim/contracts';
import type { RedisClient } from './types.js';
import { withProducerSpan } from './tracing.js';

/**
 * Adds the entry unless its event id was already published: a handler that
 * crashed after publishing and runs again re-emits the same id, and the stream
 * stays free of the repeat. SET NX and XADD run as one atomic script.
 */
const PUBLISH_ONCE = `
if ARGV[1] ~= '0' then
  if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return false end
end
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
  /** Publishes in one pipeline; results are in input order. */
  publishMany(inputs: readonly PublishInput[]): Promise<PublishResult[]>;
}

export interface PublisherOptions {
  redis: RedisClient;
  keys: Keys;
  /** Approximate stream cap (XADD MAXLEN ~); far above any plausible lag. */
  maxLen?: number;
  /** How long an event id is remembered for de-duplication; 0 disables it. */
  dedupeTtlSec?: number;
}

export function createPublisher(opts: PublisherOptions): Publisher {
  const { redis, keys } = opts;
  const maxLen = String(opts.maxLen ?? 1_000_000);
  const ttl = String(opts.dedupeTtlSec ?? 86_400);
  const script = ensureScript(redis);

  const prepare = (input: PublishInput): [string[], string[]] => {
    const schema = EVENT_SCHEMAS[input.type];
    const parsed = schema.schema.safeParse(input.data);
    if (!parsed.success) {
      throw new SchemaError(`${input.type} ${input.id}: ${formatIssues(parsed.error)}`, parsed.error.issues);
    }
    const stream = keys.stream(input.type);
    return withProducerSpan(stream, input.id, (carrier) => {
      const fields = toStreamFields({
        id: input.id, type: input.type, v: schema.v, at: input.at ?? new Date().toISOString(), ...carrier, data: parsed.data,
      });
      return [[stream, keys.published(input.type, input.id)], [ttl, maxLen, ...fields]];
    });
  };

  return {
    async publish(input) {
      const [k, argv] = prepare(input);
      const streamId = (await script.run(redis, k, argv)) as string | null;
      return { streamId: streamId ?? null };
    },
    async publishMany(inputs) {
      if (inputs.length === 0) return [];
      const prepared = inputs.map(prepare);
      const pipeline = redis.pipeline();
      for (const [k, argv] of prepared) script.queue(pipeline, k, argv);
      const replies = (await pipeline.exec()) ?? [];
      return replies.map(([err, streamId]) => {
        if (err) throw err;
        return { streamId: (streamId as string | null) ?? null };
      });
    },
  };
}

type Pipeline = ReturnType<RedisClient['pipeline']>;
interface PublishScript {
  run(redis: RedisClient, keys: string[], argv: string[]): Promise<unknown>;
  queue(pipeline: Pipeline, keys: string[], argv: string[]): void;
}

/** Registers the script once per client; ioredis sends EVALSHA and falls back to EVAL. */
function ensureScript(redis: RedisClient): PublishScript {
  const r = redis as RedisClient & { pixsimPublishOnce?: (...args: unknown[]) => Promise<unknown> };
  if (!r.pixsimPublishOnce) redis.defineCommand('pixsimPublishOnce', { numberOfKeys: 2, lua: PUBLISH_ONCE });
  return {
    run: (client, k, argv) =>
      (client as unknown as { pixsimPublishOnce(...a: string[]): Promise<unknown> }).pixsimPublishOnce(...k, ...argv),
    queue: (pipeline, k, argv) => {
      (pipeline as unknown as { pixsimPublishOnce(...a: string[]): void }).pixsimPublishOnce(...k, ...argv);
    },
  };
}
