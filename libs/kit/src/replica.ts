import os from 'node:os';
import { randomUUID } from 'node:crypto';

/** This replica's name in its consumer groups: CONSUMER_NAME (stable, e.g. the pod name), else host-pid. */
export function replicaName(config: { CONSUMER_NAME?: string }): string {
  return config.CONSUMER_NAME ?? `${os.hostname()}-${process.pid}`;
}

/**
 * A holder name for leases in MongoDB: the replica's name plus a per-process suffix,
 * so a restarted replica (same CONSUMER_NAME) never takes its predecessor's leases
 * for its own, and two replicas misconfigured with one name stay apart.
 */
export function leaseOwner(config: { CONSUMER_NAME?: string }): string {
  return `${replicaName(config)}:${randomUUID().slice(0, 8)}`;
}
