import { readFileSync } from 'node:fs';
import net from 'node:net';

/** Where outgoing connections take their local ports (Linux); elsewhere, the IANA range. */
export function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    /* not Linux */
  }
  return [49152, 65535];
}

const canListen = (port: number, host: string): Promise<boolean> =>
  new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });

/**
 * Ports this process handed out lately, by when: free when checked, but whoever got one may
 * not have bound it yet, so the next pick must not be the same port. A system's ports are
 * picked one after another before any child starts.
 */
const handedOut = new Map<number, number>();
const HAND_OUT_HOLD_MS = 120_000;

function recentlyHandedOut(port: number, now: number): boolean {
  for (const [p, at] of handedOut) if (now - at > HAND_OUT_HOLD_MS) handedOut.delete(p);
  return handedOut.has(port);
}

/**
 * A port that is free now, below the ephemeral range, and not handed out by this process in
 * the last two minutes. A port the kernel hands out for `listen(0)` comes from that range,
 * where any outgoing connection (a Redis or MongoDB client, say) may take it as its local
 * port before the child binds it; the child then fails with EADDRINUSE for as long as that
 * connection lives. Below the range only another listener can take it, and the window is
 * milliseconds.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [low] = ephemeralRange();
  const floor = 10_000;
  const span = Math.max(1, low - floor);
  for (let i = 0; i < 50; i++) {
    const port = floor + Math.floor(Math.random() * span);
    if (recentlyHandedOut(port, Date.now())) continue;
    // Services listen on every interface; the check covers both.
    if ((await canListen(port, host)) && (await canListen(port, '0.0.0.0'))) {
      handedOut.set(port, Date.now());
      return port;
    }
  }
  throw new Error(`no free port between ${floor} and ${low - 1} after 50 tries`);
}

/** Whether nothing listens on `port` now, on loopback or on every interface. */
export async function isPortFree(port: number): Promise<boolean> {
  return (await canListen(port, '127.0.0.1')) && (await canListen(port, '0.0.0.0'));
}

/** `wanted` unless it is 0, in which case a free port. */
export async function portOrFree(wanted: number): Promise<number> {
  return wanted === 0 ? freePort() : wanted;
}
