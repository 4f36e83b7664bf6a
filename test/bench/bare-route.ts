/**
 * The gateway benchmark's ceiling: a bare fastify route that checks the bearer token,
 * parses the same JSON body and does one XADD. Run as its own process:
 *   REDIS_URL=… BARE_STREAM=… BARE_TOKEN=… node --import tsx test/bench/bare-route.ts   → prints "ready <url>"
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const stream = process.env.BARE_STREAM!;
const token = `Bearer ${process.env.BARE_TOKEN}`;
const app = Fastify({ logger: false });
app.post('/api/v1/jobs', async (req, reply) => {
  if (req.headers.authorization !== token) return reply.code(401).send({ error: 'unauthorized' });
  const body = req.body as { operation_type?: string; params?: { prompt?: string } };
  if (typeof body?.params?.prompt !== 'string') return reply.code(400).send({ error: 'bad body' });
  const id = randomUUID();
  await redis.xadd(
    stream,
    'MAXLEN',
    '~',
    '1000000',
    '*',
    'id',
    `${id}:JOB_REQUESTED`,
    'type',
    'JOB_REQUESTED',
    'data',
    JSON.stringify({ job_id: id, ...body }),
  );
  return reply.code(202).send({ id, status: 'PENDING' });
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`ready ${url}`);
process.once(
  'SIGTERM',
  () =>
    void app.close().then(() => {
      redis.disconnect();
      process.exit(0);
    }),
);
