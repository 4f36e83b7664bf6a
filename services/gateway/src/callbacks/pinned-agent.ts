import type { LookupAddress, LookupOptions } from 'node:dns';
import { Agent } from 'undici';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * An undici Agent that connects to `address` whatever host name a request names, so
 * the socket goes exactly where an earlier check said it may. Only the name lookup is
 * replaced: the URL's host name still sets the Host header and, for https, the TLS
 * servername the certificate is verified against. Net calls `lookup` with `all: true`
 * (family autoselection) or without; both answers are given. Meant for one delivery:
 * close it afterwards.
 */
export function pinnedAgent(address: string, family: number, connectTimeoutMs: number): Agent {
  const lookup = (_hostname: string, options: LookupOptions | LookupCallback, callback?: LookupCallback) => {
    const cb = (typeof options === 'function' ? options : callback)!;
    const all = typeof options === 'object' && options !== null && options.all === true;
    if (all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  };
  return new Agent({ connect: { lookup, timeout: connectTimeoutMs }, connections: 1, pipelining: 1 });
}
