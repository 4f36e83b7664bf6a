import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer, createPublisher, type Consumer } from '@pixsim/bus';
import { waitFor } from '@pixsim/testkit';
import { eventIds } from '@pixsim/contracts';
import { readModelConsumers } from '../src/handlers/consumers.js';
import { AUTH, createHarness, type Harness } from './helpers.js';
import { jobHistory } from './events.js';

let h: Harness;
const running: Consumer[] = [];
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await Promise.all(running.map((c) => c.stop()));
  await h.close();
});

describe('read-model consumers on the bus', () => {
  it("when the pipeline publishes a job's events on their streams, then the gateway view follows to COMPLETED", async () => {
    for (const spec of readModelConsumers(h)) {
      const consumer = createConsumer({
        redis: h.redis,
        keys: h.keys,
        type: spec.type,
        group: 'gateway',
        consumer: 'test',
        handler: spec.handler,
        blockMs: 50,
      });
      await consumer.start();
      running.push(consumer);
    }
    const id = 'bus-job';
    const { created, submitted, completed, asset } = jobHistory(id);
    const publisher = createPublisher({ redis: h.redis, keys: h.keys });
    // Out of causal order on purpose: streams do not order events across types.
    await publisher.publish({ type: 'ASSET_CREATED', id: eventIds.assetCreated(id), data: asset });
    await publisher.publish({ type: 'JOB_COMPLETED', id: eventIds.jobCompleted(id), data: completed });
    await publisher.publish({ type: 'JOB_SUBMITTED', id: eventIds.jobSubmitted(id, 1), data: submitted });
    await publisher.publish({ type: 'JOB_CREATED', id: eventIds.jobCreated(id), data: created });

    await waitFor(
      async () => {
        const res = await h.app.inject({ method: 'GET', url: `/api/v1/jobs/${id}`, headers: AUTH });
        // Each stream has its own consumer: wait until every one of the four events has landed.
        return res.statusCode === 200 && res.json().asset_id === asset.asset_id && res.json().started_at !== null;
      },
      { what: 'the job view to hold all four events' },
    );
    const job = (await h.app.inject({ method: 'GET', url: `/api/v1/jobs/${id}`, headers: AUTH })).json();
    expect(job).toMatchObject({
      status: 'COMPLETED',
      user_id: 'user-1',
      provider_job_id: 'pv-1',
      started_at: submitted.submitted_at,
    });
    expect(
      (await h.app.inject({ method: 'GET', url: `/api/v1/assets/${asset.asset_id}`, headers: AUTH })).statusCode,
    ).toBe(200);
  });
});
