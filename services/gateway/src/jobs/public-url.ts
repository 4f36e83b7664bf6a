import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { DependencyDownError, HttpError, ValidationFailedError } from '../http/errors.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Every address a host name resolves to; `userId` (who asked) lets a resolver bound one user's lookups. */
export type ResolveHost = (host: string, userId?: string) => Promise<ResolvedAddress[]>;

/**
 * getaddrinfo on libuv's thread pool: for tests and tools only. The service
 * resolves user-supplied names with c-ares (host-resolver.ts), off the pool.
 */
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

/** The 16 bytes of an IPv6 address (any textual form, with or without a dotted IPv4 tail); null when not one. */
export function ipv6Bytes(v6: string): Uint8Array | null {
  if (isIP(v6) !== 6) return null;
  let text = v6.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    bytes[2 * i] = n >> 8;
    bytes[2 * i + 1] = n & 255;
  });
  return bytes;
}

const v4At = (b: Uint8Array, i: number, xor = 0) =>
  [b[i]! ^ xor, b[i + 1]! ^ xor, b[i + 2]! ^ xor, b[i + 3]! ^ xor].join('.');
const zero = (b: Uint8Array, from: number, to: number) => b.subarray(from, to).every((x) => x === 0);

/**
 * Every IPv4 address an IPv6 address carries, in any of the forms that reach it:
 * IPv4-compatible (::a.b.c.d, also written ::7f00:1), IPv4-mapped (::ffff:a.b.c.d),
 * SIIT (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96 and the local 64:ff9b:1::/48),
 * 6to4 (2002:AABB:CCDD::), Teredo (2001:0::/32: the server, and the client
 * obfuscated by XOR) and ISATAP (…:0:5efe:a.b.c.d / …:200:5efe:a.b.c.d).
 */
function embeddedV4(v6: string): string[] {
  const b = ipv6Bytes(v6);
  if (!b) return [];
  const found: string[] = [];
  if (zero(b, 0, 10) && ((b[10] === 0 && b[11] === 0) || (b[10] === 0xff && b[11] === 0xff))) found.push(v4At(b, 12));
  if (zero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0) found.push(v4At(b, 12));
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) found.push(v4At(b, 12));
  if (b[0] === 0x20 && b[1] === 0x02) found.push(v4At(b, 2));
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0) found.push(v4At(b, 4), v4At(b, 12, 0xff));
  if ((b[8] === 0 || b[8] === 2) && b[9] === 0 && b[10] === 0x5e && b[11] === 0xfe) found.push(v4At(b, 12));
  return found;
}

/** Whether an address is private, loopback, link-local, reserved or multicast (v4, v6, or v4 inside v6). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true; // not an address at all: refuse rather than guess
  return embeddedV4(address).some((v4) => blocked.check(v4, 'ipv4')) || blocked.check(address, 'ipv6');
}

/** A bound for resolvers without their own (the system resolver); the c-ares one times out sooner. */
const DNS_TIMEOUT_MS = 3_000;

const UNRESOLVABLE = new Set(['ENOTFOUND', 'ENODATA', 'EBADNAME', 'NOTFOUND', 'NODATA', 'ETIMEOUT']);

/**
 * 400 `IMAGE_URL_UNRESOLVABLE` (`VIDEO_URL_…`, `CALLBACK_URL_…`): the URL's host has no address we could
 * learn in time.
 */
class UrlUnresolvableError extends HttpError {
  constructor(field: string, host: string, timedOut: boolean) {
    const message = timedOut ? `host ${host} did not resolve in time` : `host ${host} does not resolve`;
    const code = `${field.replace(/^params\./, '').toUpperCase()}_UNRESOLVABLE`;
    super(400, code, `${field}: ${message}`, { details: [{ field, message }] });
  }
}

/**
 * The provider fetches `image_url` itself: a name that resolves to one of our
 * private addresses would aim it (or a later downloader) at our own network.
 * Every resolved address must be public. A name that does not resolve, or not
 * in time (a nameserver that never answers), is the caller's problem (400); a
 * resolver that fails outright is ours (503). `userId` bounds one user's
 * lookups in flight.
 */
export async function checkPublicHost(
  field: string,
  url: string,
  resolve: ResolveHost,
  userId?: string,
): Promise<ResolvedAddress[]> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const fail = (message: string) => new ValidationFailedError([{ field, message }]);
  let addresses: ResolvedAddress[];
  let timer: NodeJS.Timeout | undefined;
  try {
    addresses = isIP(host)
      ? [{ address: host, family: isIP(host) }]
      : await Promise.race([
          resolve(host, userId),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(Object.assign(new Error('dns timeout'), { code: 'ETIMEOUT' })),
              DNS_TIMEOUT_MS,
            );
          }),
        ]);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (UNRESOLVABLE.has(code)) throw new UrlUnresolvableError(field, host, code === 'ETIMEOUT');
    throw new DependencyDownError('dns', { cause: err });
  } finally {
    clearTimeout(timer);
  }
  if (addresses.length === 0) throw new UrlUnresolvableError(field, host, false);
  if (addresses.some((a) => isNonPublicAddress(a.address)))
    throw fail('must not point at a private or loopback address');
  return addresses;
}
