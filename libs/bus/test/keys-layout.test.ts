import { describe, expect, it } from 'vitest';
import { createKeys, EVENT_TYPES, keySlot, partitionKeyOf, partitionOf, partitionSlotRange } from '@pixsim/contracts';

describe('cluster key layout', () => {
  it('when a key has a hash tag, then its slot is the tag’s (the servers’ CRC16), else the whole key’s', () => {
    // Values Redis itself answers (CLUSTER KEYSLOT).
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('{}.x')).toBe(keySlot('{}.x')); // an empty tag hashes the whole key
    expect(keySlot('{}.x')).not.toBe(keySlot('{}.y'));
  });

  it("when keys are built with any partition count, then a stream's dead letters and publish marks share its slot", () => {
    for (const partitions of [1, 2, 3, 6]) {
      const keys = createKeys('pixsim', { partitions });
      for (const type of EVENT_TYPES) {
        for (let p = 0; p < partitions; p++) {
          const slot = keySlot(keys.stream(type, p));
          expect(keySlot(keys.deadLetter(type, p))).toBe(slot);
          expect(keySlot(keys.published(type, 'job-1:JOB_CREATED', p))).toBe(slot);
        }
      }
    }
  });

  it('when there is one partition, then stream names are <prefix>:<TYPE> as before', () => {
    const keys = createKeys('pixsim');
    expect(keys.stream('JOB_CREATED')).toBe('pixsim:JOB_CREATED');
    expect(keys.streams('JOB_CREATED')).toEqual(['pixsim:JOB_CREATED']);
    expect(keys.deadLetter('JOB_CREATED')).toBe('{pixsim:JOB_CREATED}:dlq');
  });

  it('when there are N partitions, then partition i of every type sits in the i-th N-th of the slot space, the same in every process', () => {
    for (const partitions of [2, 3, 4]) {
      const keys = createKeys('pixsim', { partitions });
      const again = createKeys('pixsim', { partitions });
      for (const type of EVENT_TYPES) {
        for (let p = 0; p < partitions; p++) {
          const [lo, hi] = partitionSlotRange(p, partitions);
          const slot = keySlot(keys.stream(type, p));
          expect(slot).toBeGreaterThanOrEqual(lo);
          expect(slot).toBeLessThanOrEqual(hi);
          expect(again.stream(type, p)).toBe(keys.stream(type, p));
        }
      }
    }
    expect(() => createKeys('pixsim', { partitions: 0 })).toThrow(RangeError);
    expect(() => createKeys('pixsim', { partitions: 3 }).stream('JOB_CREATED', 3)).toThrow(RangeError);
  });

  it('when events of one job are published, then they all go to one partition; jobs spread over all of them', () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[partitionOf(`job-${i}`, 3)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    const jobId = 'job-42';
    const keysOf = [
      partitionKeyOf('JOB_CREATED', `${jobId}:JOB_CREATED`, { job_id: jobId }),
      partitionKeyOf('JOB_SUBMITTED', `${jobId}:JOB_SUBMITTED:1`, { job_id: jobId, account_id: 'acc-1' }),
      partitionKeyOf('JOB_COMPLETED', `${jobId}:JOB_COMPLETED`, { job_id: jobId }),
    ];
    expect(new Set(keysOf)).toEqual(new Set([jobId]));
    expect(partitionKeyOf('ACCOUNT_UPDATED', 'e1', { account_id: 'acc-1' })).toBe('acc-1');
    expect(partitionKeyOf('GENERATION_POKED', 'e2', { provider_job_id: 'pv-9' })).toBe('pv-9');
    expect(partitionOf('anything', 1)).toBe(0);
  });
});
