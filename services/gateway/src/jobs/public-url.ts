import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { DependencyDownError, ValidationFailedError } from '../http/errors.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Every address a host name resolves to (as `dns.lookup(host, { all: true })`). */
export type ResolveHost = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: ResolveHost = (host) => lookup(host, { all: true, verbatim: true });

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

/** IPv6 forms that carry an IPv4 address: mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96), 6to4 (2002::/16). */
function embeddedV4(v6: string): string | null {
  const lower = v6.toLowerCase();
  const dotted = /^(?:::ffff:(?:0:)?|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:::ffff:(?:0:)?|64:ff9b::|2002:)([0-9a-f]{1,4}):([0-9a-f]{1,4})(?:$|:)/.exec(lower);
  if (!hex) return null;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Whether an address is private, loopback, link-local, reserved or multicast (v4, v6, or v4 inside v6). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true; // not an address at all: refuse rather than guess
  const v4 = embeddedV4(address);
  return (v4 !== null && blocked.check(v4, 'ipv4')) || blocked.check(address, 'ipv6');
}

const DNS_TIMEOUT_MS = 3_000;

/**
 * The provider fetches `image_url` itself: a name that resolves to one of our
 * private addresses would aim it (or a later downloader) at our own network.
 * Every resolved address must be public. A name that does not resolve is the
 * caller's problem (400); a resolver that does not answer is ours (503).
 */
export async function checkPublicHost(field: string, url: string, resolve: ResolveHost): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const fail = (message: string) => new ValidationFailedError([{ field, message }]);
  let addresses: ResolvedAddress[];
  let timer: NodeJS.Timeout | undefined;
  try {
    addresses = isIP(host)
      ? [{ address: host, family: isIP(host) }]
      : await Promise.race([
          resolve(host),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(Object.assign(new Error('dns timeout'), { code: 'ETIMEOUT' })),
              DNS_TIMEOUT_MS,
            );
          }),
        ]);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EBADNAME') throw fail(`host ${host} does not resolve`);
    throw new DependencyDownError('dns', { cause: err });
  } finally {
    clearTimeout(timer);
  }
  if (addresses.length === 0) throw fail(`host ${host} does not resolve`);
  if (addresses.some((a) => isNonPublicAddress(a.address)))
    throw fail('must not point at a private or loopback address');
}
