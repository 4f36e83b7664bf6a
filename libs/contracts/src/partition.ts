import type { EventType } from './event-types.js';

/**
 * Redis Cluster slots and stream partitions. A key's slot is CRC16 (XMODEM) of
 * its hash tag (the text inside the first `{…}`, when not empty) or of the whole
 * key, modulo 16384: the same function the servers use, so the key layout can
 * be planned (and tested) without a cluster.
 */
export const CLUSTER_SLOTS = 16_384;

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, 'utf8')) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

/** The cluster slot of a key, hash tags included. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key.slice(open + 1, close)) % CLUSTER_SLOTS;
  }
  return crc16(key) % CLUSTER_SLOTS;
}

/**
 * The slots partition `partition` of `partitions` aims at: the middle half of
 * the partition-th equal share of the slot space. A cluster created with
 * `redis-cli --cluster create` over M masters gives each master one equal,
 * contiguous share, so with partitions = M every partition lands on its own
 * master (and with partitions = k·M, k on each); the middle half keeps the
 * choice clear of the rounding at the shares' edges.
 */
export function partitionSlotRange(partition: number, partitions: number): [lo: number, hi: number] {
  const share = CLUSTER_SLOTS / partitions;
  const start = partition * share;
  return [Math.ceil(start + share / 4), Math.floor(start + (share * 3) / 4)];
}

/** FNV-1a, 32 bits: a stable, cheap spread of partition keys. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * What orders an event among its kind: the job for job events (one job's events
 * stay in one partition, so they keep their order), the account for account
 * events, the provider's job for a webhook poke, else the event id.
 */
export function partitionKeyOf(_type: EventType, eventId: string, data: unknown): string {
  if (data && typeof data === 'object') {
    const d = data as Record<string, unknown>;
    for (const field of ['job_id', 'account_id', 'provider_job_id'] as const) {
      const value = d[field];
      if (typeof value === 'string' && value.length > 0) return value;
    }
  }
  return eventId;
}

/** The partition (0 … partitions − 1) of a partition key. */
export function partitionOf(partitionKey: string, partitions: number): number {
  return partitions <= 1 ? 0 : fnv1a(partitionKey) % partitions;
}
