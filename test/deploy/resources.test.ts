import { describe, expect, it } from 'vitest';
import { SERVICES, type ServiceName } from '@pixsim/contracts';
import { parseYamlDocs, readRepoFile } from './manifests.js';

/**
 * What `npm run bench:e2e` measured for each service on the compiled build, Node 20,
 * 2026-12-05 (a 5,000-job burst: idle RSS, peak RSS, and the CPU seconds over the burst's
 * 35 s as a share of one core; the highest of the day's runs where there were several).
 * The gateway's peak is `npm run bench:gateway`'s at 100 connections, the poller's
 * `npm run bench:poller`'s following 50,000 generations (POLL_MAX_HELD) from memory.
 * docs/performance.md and test/bench/RESULTS.md have the runs.
 */
const MEASURED: Readonly<Record<ServiceName, { idleMiB: number; peakMiB: number; cpuCores: number }>> = {
  gateway: { idleMiB: 106, peakMiB: 175, cpuCores: 0.35 },
  'job-intake': { idleMiB: 92, peakMiB: 119, cpuCores: 0.3 },
  dispatcher: { idleMiB: 98, peakMiB: 129, cpuCores: 0.38 },
  poller: { idleMiB: 116, peakMiB: 272, cpuCores: 0.19 },
  asset: { idleMiB: 93, peakMiB: 104, cpuCores: 0.12 },
};

/** A limit leaves this much room above the measured peak (another Node, a larger heap, a busier hour). */
const MARGIN = 1.5;

const mib = (q: string): number => {
  const m = /^(\d+(?:\.\d+)?)(Mi|Gi)$/.exec(q);
  if (!m) throw new Error(`memory quantity ${q}: expected Mi or Gi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
};
const cores = (q: string): number => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));

function container(service: ServiceName) {
  const text = readRepoFile(`k8s/base/${service}.yaml`);
  const deployment = parseYamlDocs(text, service).find((o) => o.kind === 'Deployment')!;
  type Container = {
    name: string;
    args?: string[];
    command?: string[];
    resources: Record<'requests' | 'limits', Record<string, string>>;
  };
  const spec = deployment.spec as { template: { spec: { containers: Container[] } } };
  return { text, c: spec.template.spec.containers.find((x) => x.name === service)! };
}

describe('k8s resources of the services', () => {
  it.each(SERVICES)(
    'when %s is scheduled, then its memory limit is at least the measured peak × 1.5 and its request at least the measured idle',
    (service) => {
      const { c } = container(service);
      const m = MEASURED[service];
      expect(mib(c.resources.limits.memory!), 'limits.memory').toBeGreaterThanOrEqual(m.peakMiB * MARGIN);
      expect(mib(c.resources.requests.memory!), 'requests.memory').toBeGreaterThanOrEqual(m.idleMiB);
      expect(mib(c.resources.requests.memory!)).toBeLessThanOrEqual(mib(c.resources.limits.memory!));
      expect(cores(c.resources.limits.cpu!), 'limits.cpu').toBeGreaterThanOrEqual(m.cpuCores);
    },
  );

  it.each(SERVICES)(
    'when %s resources are read, then a comment says which measurement they come from, and the container runs the image entrypoint (the compiled build)',
    (service) => {
      const { text, c } = container(service);
      const at = text.indexOf('resources:');
      const before = text.slice(Math.max(0, at - 600), at);
      expect(before).toMatch(/#.*npm run bench:e2e/);
      // The entrypoint picks dist/services/<name>/main.js from the first argument; no command overrides it.
      expect(c.args).toEqual([service]);
      expect(c.command).toBeUndefined();
    },
  );
});
