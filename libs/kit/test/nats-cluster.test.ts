import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsCluster, type NatsCluster } from '../../../test/cluster/nats-cluster.js';
import { connectNats } from '../src/nats.js';
import { memoryLogger } from './helpers.js';

let cluster: NatsCluster;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  cluster = await startNatsCluster(3);
}, 60_000);

afterAll(async () => {
  for (const nc of connections) await nc.close().catch(() => {});
  await cluster?.stop();
});

describe('NATS_URL with a clustered NATS', () => {
  it('when the server a subscriber is connected to dies mid-stream, then it reconnects to another from the list and live updates keep flowing', async () => {
    const [a, b, c] = cluster.nodes as [NatsCluster['nodes'][0], NatsCluster['nodes'][0], NatsCluster['nodes'][0]];
    const { logger } = memoryLogger();
    // The publisher knows one server; the subscriber is handed the list, starting with b.
    const publisher = await connectNats(a.url, { name: 'pub', logger });
    const subscriber = await connectNats(`${b.url}, ${c.url}`, {
      name: 'sub',
      logger,
      options: { noRandomize: true, reconnectTimeWait: 100 },
    });
    connections.push(publisher, subscriber);
    expect(subscriber.getServer()).toBe(`127.0.0.1:${b.port}`);

    const received: number[] = [];
    const sub = subscriber.subscribe('pixsim.jobs.updates');
    void (async () => {
      for await (const m of sub) received.push(Number(new TextDecoder().decode(m.data)));
    })();
    await subscriber.flush();

    let n = 0;
    const publishUntil = async (done: () => boolean, timeoutMs: number, what: string) => {
      const deadline = Date.now() + timeoutMs;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received ${received.length}`);
        publisher.publish('pixsim.jobs.updates', new TextEncoder().encode(String(n++)));
        await sleep(20);
      }
    };
    // The routes form: a message published on a reaches the subscriber on b.
    await publishUntil(() => received.length >= 20, 15_000, 'updates through the cluster');

    await cluster.kill(b.port);
    const atKill = n;
    await publishUntil(
      () => received.some((x) => x > atKill) && received.filter((x) => x > atKill).length >= 20,
      15_000,
      'updates after the kill',
    );
    expect(subscriber.getServer()).toBe(`127.0.0.1:${c.port}`);
    expect(subscriber.isClosed()).toBe(false);
  });
});
