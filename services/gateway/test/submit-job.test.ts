import { describe, expect, it } from 'vitest';
import { createProviderRegistry, validatePixverse, type VideoProvider } from '@pixsim/providers';
import type { PublishInput } from '@pixsim/bus';
import { DependencyDownError, InvalidParamsError, ValidationFailedError } from '../src/http/errors.js';
import { createJobSubmitter } from '../src/jobs/submit-job.js';
import { parseJobRequest } from '../src/jobs/job-request.js';
import type { Publish } from '../src/ports.js';
import { memoryJobStore } from './fakes.js';
import { fakeResolver } from './helpers.js';

const provider = {
  id: 'pixverse',
  validate: (r) => validatePixverse(r.operationType, r.params),
  close: async () => {},
} as VideoProvider;
const body = parseJobRequest({ operation_type: 'text_to_video', params: { prompt: 'a cat' } });
const admin = { userId: 'admin', role: 'admin' } as const;
const silent = { info() {}, warn() {}, error() {} };

function setup(publish: Publish) {
  const jobs = memoryJobStore();
  const submit = createJobSubmitter({
    providers: createProviderRegistry({ pixverse: provider }),
    publish,
    jobs,
    logger: silent,
    clock: () => new Date('2026-03-01T00:00:00.000Z'),
    newId: () => 'JOB1',
    resolveHost: fakeResolver,
  });
  return { jobs, submit };
}

describe('createJobSubmitter (no I/O)', () => {
  it('when the job is accepted, then JOB_REQUESTED is published before the read model is written', async () => {
    const order: string[] = [];
    const published: PublishInput[] = [];
    const { jobs, submit } = setup(async (input) => {
      order.push(`publish:${jobs.records.size}`);
      published.push(input as PublishInput);
    });
    const { job, replayed } = await submit(admin, body);
    expect(replayed).toBe(false);
    expect(order).toEqual(['publish:0']);
    expect(published[0]).toMatchObject({
      type: 'JOB_REQUESTED',
      id: 'JOB1:JOB_REQUESTED',
      at: '2026-03-01T00:00:00.000Z',
    });
    expect(job).toMatchObject({ _id: 'JOB1', status: 'PENDING', user_id: 'admin', priority: 5 });
    expect(jobs.records.get('JOB1')?.version).toBe(1);
  });

  it('when the job is accepted, then its read-model write does not linger: the answer waits on it', async () => {
    const { jobs, submit } = setup(async () => {});
    await submit(admin, body);
    expect(jobs.applied).toEqual([{ type: 'JOB_REQUESTED', linger: false }]);
  });

  it('when the publish fails, then the error propagates and nothing is recorded', async () => {
    const { jobs, submit } = setup(async () => {
      throw new DependencyDownError('redis');
    });
    await expect(submit(admin, body)).rejects.toBeInstanceOf(DependencyDownError);
    expect(jobs.records.size).toBe(0);
  });

  it('when a request breaks the wire shape, then ValidationFailedError; when the provider refuses it, InvalidParamsError', () => {
    const refusal = (input: unknown) => {
      try {
        parseJobRequest(input);
      } catch (err) {
        return err;
      }
      throw new Error('expected the request to be refused');
    };
    expect(refusal({ operation_type: 'text_to_video', params: {} })).toBeInstanceOf(ValidationFailedError);
    const limits = refusal({ operation_type: 'text_to_video', params: { prompt: 'p', quality: '4k' } });
    expect(limits).toBeInstanceOf(InvalidParamsError);
    expect((limits as InvalidParamsError).issues.map((i) => i.field)).toEqual(['params.quality']);
    expect(refusal({ operation_type: 'text_to_video', provider_id: 'runway', params: { prompt: 'p' } })).toMatchObject({
      code: 'INVALID_PARAMS',
      message: 'provider_id: unknown provider runway',
    });
  });
});
