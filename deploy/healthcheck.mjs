// Docker HEALTHCHECK for every process of the image (plain JavaScript: no tsx at probe time).
//   node deploy/healthcheck.mjs            GET /health (alive)
//   node deploy/healthcheck.mjs /ready     GET /ready  (dependencies reachable)
// The process is PIXSIM_SERVICE, else the service named in PID 1's arguments
// (tini -- sh docker-entrypoint.sh <service>), so `docker run pixsim poller` is probed too.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Where each service answers /health, /ready and /metrics by default (PORT / OPS_PORT override). */
export const DEFAULT_PORTS = { gateway: 8000, 'job-intake': 9101, dispatcher: 9102, poller: 9103, asset: 9104 };
const SIMULATOR = ['simulator', 'pixverse-sim'];

export function serviceFrom(env, pid1Args = []) {
  if (env.PIXSIM_SERVICE) return env.PIXSIM_SERVICE;
  return pid1Args.find((a) => a in DEFAULT_PORTS || SIMULATOR.includes(a)) ?? null;
}

/** The URL to probe, or null for a process this image does not know. */
export function probeUrl(service, env, path = '/health') {
  if (SIMULATOR.includes(service)) return `http://127.0.0.1:${env.SIM_PORT || 8080}/__sim/stats`;
  if (!(service in DEFAULT_PORTS)) return null;
  // The gateway's /ready and /metrics move to its side server when OPS_PORT is set; /health stays on PORT.
  const port = service !== 'gateway' ? env.OPS_PORT : path !== '/health' && env.OPS_PORT ? env.OPS_PORT : env.PORT;
  return `http://127.0.0.1:${port || DEFAULT_PORTS[service]}${path}`;
}

function pid1Args() {
  try {
    return readFileSync('/proc/1/cmdline', 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

async function main() {
  const service = serviceFrom(process.env, pid1Args());
  const url = service && probeUrl(service, process.env, process.argv[2]);
  if (!url) {
    console.error(`healthcheck: cannot tell which service runs here (set PIXSIM_SERVICE)`);
    process.exit(1);
  }
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
    if (!res.ok) console.error(`healthcheck: ${url} answered ${res.status}`);
    process.exit(res.ok ? 0 : 1);
  } catch (err) {
    console.error(`healthcheck: ${url}: ${err.cause?.code ?? err.message}`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
