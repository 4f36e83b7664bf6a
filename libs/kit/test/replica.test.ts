import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { leaseOwner, replicaName } from '../src/replica.js';

describe('replica names', () => {
  it('when CONSUMER_NAME is set, then it names the replica; unset, host and pid do', () => {
    expect(replicaName({ CONSUMER_NAME: 'gateway-7f9c' })).toBe('gateway-7f9c');
    expect(replicaName({})).toBe(`${os.hostname()}-${process.pid}`);
  });

  it('when lease owners are made, then each carries the replica name and differs from any other, as a restarted process must', () => {
    const a = leaseOwner({ CONSUMER_NAME: 'gateway-1' });
    const b = leaseOwner({ CONSUMER_NAME: 'gateway-1' });
    expect(a).toMatch(/^gateway-1:[0-9a-f]{8}$/);
    expect(b).not.toBe(a);
  });
});
