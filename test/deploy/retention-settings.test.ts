import { describe, expect, it } from 'vitest';
import type { ServiceName } from '@pixsim/contracts';
import { find, findKubectl, OVERLAYS, render, type K8sObject } from './manifests.js';
import { CONFIG_SCHEMAS } from './service-env.js';

const kubectl = findKubectl();
if (!kubectl.ok) console.warn(`test/deploy/retention-settings.test.ts: SKIPPED, ${kubectl.reason}`);

/** What each retention setting governs, and the services that read it (docs/operations/retention.md). */
const READERS: Record<string, ServiceName[]> = {
  PIXSIM_JOB_RETENTION_DAYS: ['gateway', 'job-intake', 'asset'],
  PIXSIM_SUBMISSION_RETENTION_DAYS: ['dispatcher'],
};

/** The value a service's container gets for `name`: ConfigMaps in order, then its own env. */
function settingOf(objects: K8sObject[], service: ServiceName, name: string): string | undefined {
  const c = find(objects, 'Deployment', service)!.spec.template.spec.containers[0];
  let value: string | undefined;
  for (const from of c.envFrom ?? []) {
    const v = from.configMapRef && find(objects, 'ConfigMap', from.configMapRef.name)?.data?.[name];
    if (v !== undefined) value = v;
  }
  const own = (c.env ?? []).find((e: any) => e.name === name);
  return own?.value ?? value;
}

describe.skipIf(!kubectl.ok)('retention settings in the manifests', () => {
  it.each(OVERLAYS)(
    'k8s/%s: when the services start, then each reads its retention from the manifests, and the job retention is one value for all its readers',
    (dir) => {
      const objects = render(dir);
      for (const [name, services] of Object.entries(READERS)) {
        const days = services.map((s) => {
          const raw = settingOf(objects, s, name);
          expect(raw, `${s}: ${name} is set, not left to a default`).toBeDefined();
          const field = (CONFIG_SCHEMAS[s] as any).shape[name];
          expect(field, `${s} reads ${name}`).toBeDefined();
          return field.parse(raw) as number;
        });
        expect(new Set(days).size, `${name}: ${services.join(', ')}`).toBe(1);
      }
    },
  );
});
