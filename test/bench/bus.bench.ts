/**
 * Bus throughput: publish → consume → ack through one consumer group, beside
 * BullMQ and a bare ioredis loop, on the same Redis in the same run.
 *
 *   npm run bench:bus [-- --events 100000 --concurrency 50]
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { intArg, printTable, rate } from './bench-utils.js';
import { runBareLoop, runBullmq, runPixsim } from './bus-contenders.js';

// Trace propagation on, as in production: a real tracer provider records every
// producer and consumer span and context travels in each entry.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(new TracerProvider());

const options = {
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  events: intArg('events', 100_000),
  concurrency: intArg('concurrency', 50),
  batch: intArg('batch', 500),
};

console.log(
  `bus benchmark: ${options.events} events, concurrency ${options.concurrency}, publish batches of ` +
    `${options.batch}, Redis ${options.redisUrl}`,
);
const bare = await runBareLoop(options);
const pixsim = await runPixsim(options);
const bullmq = await runBullmq(options);
printTable('publish → consume → ack', [pixsim, bullmq, bare]);
const redisPerEvent = (row: typeof pixsim) => Number(row.extra?.['Redis CPU µs/event']);
console.log(
  `\nRedis, the part every replica shares, spends ${redisPerEvent(pixsim)} µs per event on pixsim's bus and ` +
    `${redisPerEvent(bullmq)} µs on BullMQ (${(redisPerEvent(bullmq) / redisPerEvent(pixsim)).toFixed(1)}× as much): ` +
    'spread over more client processes than this machine has cores, that is where each one stops.',
);
const vsBull = rate(pixsim) / rate(bullmq);
const vsBare = rate(pixsim) / rate(bare);
console.log(
  `ratio: pixsim/BullMQ = ${vsBull.toFixed(2)}× (target ≥ 4: ${vsBull >= 4 ? 'met' : 'NOT met'}); ` +
    `pixsim/bare = ${vsBare.toFixed(2)} (target ≥ 0.5: ${vsBare >= 0.5 ? 'met' : 'NOT met'})`,
);
process.exit(0);
