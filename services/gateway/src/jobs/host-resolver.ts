import { Resolver } from 'node:dns/promises';
import { HttpError } from '../http/errors.js';
import type { ResolvedAddress, ResolveHost } from './public-url.js';

export interface HostResolverOptions {
  /** `host[:port]` of the nameservers (DNS_SERVERS); empty: the system's (resolv.conf). */
  servers?: readonly string[];
  /** Whole lookup, A and AAAA together, at most this long; then the host counts as unresolvable. */
  timeoutMs: number;
  /** Distinct lookups in flight started by one user; past it a 429. */
  maxPerUser: number;
  /** Distinct lookups in flight on this replica; past it a 503. */
  maxInFlight: number;
  /** How long an answer (or an unresolvable host) is remembered, so a repeat costs no query. */
  cacheMs?: number;
  now?: () => number;
}

/** The lookup did not finish in time: the host is treated as one that does not resolve. */
class LookupTimeoutError extends Error {
  readonly code = 'ETIMEOUT';
}

/** 429: this user already has as many lookups under way as allowed. */
export class TooManyLookupsError extends HttpError {
  constructor(limit: number) {
    super(429, 'TOO_MANY_LOOKUPS', `at most ${limit} host name lookups at once per user; retry when yours finish`, {
      headers: { 'retry-after': '2' },
    });
  }
}

const NO_ADDRESS = new Set(['ENODATA', 'ENOTFOUND', 'NOTFOUND', 'NODATA']);

interface Settled {
  at: number;
  addresses?: ResolvedAddress[];
  error?: unknown;
}

/**
 * Resolves user-supplied host names with c-ares (`dns.promises.Resolver`), not
 * `dns.lookup`: getaddrinfo runs on libuv's four-thread pool, which JWT checks
 * (WebCrypto) and scrypt share, so a nameserver that never answers would stall
 * every request of the replica. c-ares works on the event loop with its own
 * sockets and timeouts. Bounded in time (`timeoutMs` for A and AAAA together),
 * in lookups per user and per replica; lookups of one name share one query, and
 * answers (and failures) are remembered for `cacheMs`. /etc/hosts is not read,
 * on purpose: a user's URL has no business naming our hosts.
 */
export function createHostResolver(o: HostResolverOptions): ResolveHost & { inFlight(): number } {
  const perTry = Math.max(100, Math.floor(o.timeoutMs / 2));
  const resolver = new Resolver({ timeout: perTry, tries: 2 });
  if (o.servers && o.servers.length > 0) resolver.setServers([...o.servers]);
  const now = o.now ?? Date.now;
  const cacheMs = o.cacheMs ?? 30_000;
  const pending = new Map<string, Promise<ResolvedAddress[]>>();
  const perUser = new Map<string, number>();
  const cache = new Map<string, Settled>();

  const family = async (host: string, v: 4 | 6): Promise<ResolvedAddress[]> => {
    try {
      const found = v === 4 ? await resolver.resolve4(host) : await resolver.resolve6(host);
      return found.map((address) => ({ address, family: v }));
    } catch (err) {
      // No record of this family is an answer; a timeout or a server failure is not.
      if (NO_ADDRESS.has((err as { code?: string }).code ?? '')) return [];
      throw err;
    }
  };

  const query = (host: string): Promise<ResolvedAddress[]> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LookupTimeoutError(`lookup of ${host} timed out`)), o.timeoutMs);
    });
    const both = Promise.all([family(host, 4), family(host, 6)]).then(([a, aaaa]) => {
      if (a.length + aaaa.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
      return [...a, ...aaaa];
    });
    both.catch(() => {}); // settles after the deadline at worst (c-ares's own timeouts); nobody may be waiting
    return Promise.race([both, deadline]).finally(() => clearTimeout(timer));
  };

  const resolve = async (host: string, userId?: string): Promise<ResolvedAddress[]> => {
    const key = host.toLowerCase();
    const hit = cache.get(key);
    if (hit && now() - hit.at < cacheMs) {
      if (hit.error) throw hit.error;
      return hit.addresses!;
    }
    const shared = pending.get(key);
    if (shared) return shared;
    const user = userId ?? '';
    if ((perUser.get(user) ?? 0) >= o.maxPerUser) throw new TooManyLookupsError(o.maxPerUser);
    if (pending.size >= o.maxInFlight) {
      throw Object.assign(new Error('too many host name lookups in flight on this replica'), { code: 'EBUSY' });
    }
    perUser.set(user, (perUser.get(user) ?? 0) + 1);
    const lookup = query(key)
      .then(
        (addresses) => {
          cache.set(key, { at: now(), addresses });
          return addresses;
        },
        (error: unknown) => {
          const code = (error as { code?: string }).code;
          if (code === 'ETIMEOUT' || NO_ADDRESS.has(code ?? '')) cache.set(key, { at: now(), error });
          throw error;
        },
      )
      .finally(() => {
        pending.delete(key);
        const left = (perUser.get(user) ?? 1) - 1;
        if (left > 0) perUser.set(user, left);
        else perUser.delete(user);
        if (cache.size > 10_000) cache.clear(); // a bound, not an LRU: entries are cheap to recompute
      });
    pending.set(key, lookup);
    return lookup;
  };
  return Object.assign(resolve, { inFlight: () => pending.size });
}

/** `DNS_SERVERS`: comma-separated `host[:port]` (IPv6 as `[addr]:port`). */
export function parseDnsServers(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
