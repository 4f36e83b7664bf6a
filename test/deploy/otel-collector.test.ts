import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICES } from '@pixsim/contracts';
import { byKind, find, findConfigMap, findKubectl, render, selects, type K8sObject } from './manifests.js';

const kubectl = findKubectl();
if (!kubectl.ok) console.warn(`test/deploy/otel-collector.test.ts: SKIPPED, ${kubectl.reason}`);

const rendered = new Map<string, K8sObject[]>();
const objectsOf = (dir: string): K8sObject[] => {
  if (!rendered.has(dir)) rendered.set(dir, render(dir));
  return rendered.get(dir)!;
};

const collectorOf = (objects: K8sObject[]) => {
  const deployment = find(objects, 'Deployment', 'otel-collector');
  if (!deployment) throw new Error('no Deployment otel-collector');
  const pod = deployment.spec.template.spec;
  return { deployment, pod, container: pod.containers[0] };
};

/** The collector's configuration as the pod reads it: the ConfigMap its volume mounts. */
function collectorConfig(objects: K8sObject[]): any {
  const { pod, container } = collectorOf(objects);
  const arg = (container.args as string[]).find((a) => a.startsWith('--config='))!;
  const file = arg.slice('--config='.length);
  const mount = container.volumeMounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
  const volume = pod.volumes.find((v: any) => v.name === mount.name);
  const cm = find(objects, 'ConfigMap', volume.configMap.name)!;
  const text = cm.data![file.slice(mount.mountPath.length + 1)];
  expect(text, `${file} is in ConfigMap ${cm.metadata.name}`).toBeDefined();
  return parse(text!);
}

describe.skipIf(!kubectl.ok)('k8s/overlays/prod: the trace collector', () => {
  it('when rendered, then one collector runs the contrib image pinned by tag and digest, with probes, limits and a PDB that does not block drains', () => {
    const objects = objectsOf('overlays/prod');
    const { deployment, container } = collectorOf(objects);
    expect(container.image).toMatch(/^otel\/opentelemetry-collector-contrib:\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    // Tail sampling decides per trace: every span of a trace must reach the same collector.
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy?.type).toBe('Recreate');
    for (const r of ['cpu', 'memory']) {
      expect(container.resources.requests[r], r).toBeDefined();
      expect(container.resources.limits[r], r).toBeDefined();
    }
    const labels = deployment.spec.template.metadata.labels;
    const pdbs = byKind(objects, 'PodDisruptionBudget').filter((p) => selects(p.spec.selector, labels));
    expect(pdbs).toHaveLength(1);
    expect(pdbs[0]!.spec.minAvailable).toBeUndefined();
  });

  it('when its configuration is read, then it parses, keeps every ERROR trace and a share of the rest, and names the pod, namespace and Deployment', () => {
    const objects = objectsOf('overlays/prod');
    const config = collectorConfig(objects);
    const pipeline = config.service.pipelines.traces;
    expect(pipeline.receivers).toEqual(['otlp']);
    // memory_limiter first, batch last; the sampler after the attributes it may look at.
    expect(pipeline.processors).toEqual(['memory_limiter', 'k8sattributes', 'tail_sampling', 'batch']);
    const policies: any[] = config.processors.tail_sampling.policies;
    expect(policies.some((p) => p.type === 'status_code' && p.status_code.status_codes.includes('ERROR'))).toBe(true);
    const ratio = policies.find((p) => p.type === 'probabilistic');
    expect(ratio?.probabilistic.sampling_percentage).toBeGreaterThan(0);
    expect(ratio?.probabilistic.sampling_percentage).toBeLessThan(100);
    expect(config.processors.k8sattributes.extract.metadata).toEqual(
      expect.arrayContaining(['k8s.pod.name', 'k8s.namespace.name', 'k8s.deployment.name']),
    );
    expect(config.processors.memory_limiter.limit_percentage).toBeGreaterThan(0);
    // The receivers listen on the ports the Service and the container declare, on every interface.
    const { container } = collectorOf(objects);
    const service = find(objects, 'Service', 'otel-collector')!;
    for (const [protocol, port] of [
      ['grpc', 4317],
      ['http', 4318],
    ] as const) {
      expect(config.receivers.otlp.protocols[protocol].endpoint).toBe(`0.0.0.0:${port}`);
      expect(container.ports.map((p: any) => p.containerPort)).toContain(port);
      expect(service.spec.ports.map((p: any) => p.port)).toContain(port);
    }
    // Probes ask the health_check extension on the port it listens on.
    const health = Number(String(config.extensions.health_check.endpoint).split(':')[1]);
    const healthPort = container.ports.find((p: any) => p.name === container.readinessProbe.httpGet.port);
    expect(healthPort.containerPort).toBe(health);
  });

  it('when it exports, then the backend is the one value the overlay sets, given to the pod', () => {
    const objects = objectsOf('overlays/prod');
    const config = collectorConfig(objects);
    const exporters = config.service.pipelines.traces.exporters as string[];
    expect(exporters).toHaveLength(1);
    const endpoint = String(config.exporters[exporters[0]!].endpoint);
    const variable = /^\$\{env:([A-Z_]+)\}$/.exec(endpoint)?.[1];
    expect(variable, `exporter endpoint ${endpoint} comes from the environment`).toBeDefined();
    const { container } = collectorOf(objects);
    const env: Record<string, string> = {};
    for (const from of container.envFrom ?? []) {
      Object.assign(env, find(objects, 'ConfigMap', from.configMapRef.name)?.data ?? {});
    }
    expect(new URL(env[variable!]!).protocol).toMatch(/^https?:$/);
  });

  it("when a service starts, then its OTLP endpoint is the collector's Service, on a port it serves", () => {
    const objects = objectsOf('overlays/prod');
    const endpoint = new URL(findConfigMap(objects, 'pixsim-common')!.data!.OTEL_EXPORTER_OTLP_ENDPOINT!);
    const service = find(objects, 'Service', 'otel-collector')!;
    const ns = service.metadata.namespace;
    expect([
      service.metadata.name,
      `${service.metadata.name}.${ns}`,
      `${service.metadata.name}.${ns}.svc.cluster.local`,
    ]).toContain(endpoint.hostname);
    // The services export OTLP/HTTP.
    expect(Number(endpoint.port)).toBe(4318);
    expect(service.spec.ports.map((p: any) => p.port)).toContain(4318);
    expect(
      selects({ matchLabels: service.spec.selector }, collectorOf(objects).deployment.spec.template.metadata.labels),
    ).toBe(true);
    // Every trace reaches the collector, which does the sampling.
    expect(findConfigMap(objects, 'pixsim-common')!.data!.OTEL_TRACES_SAMPLER_ARG).toBe('1');
    for (const s of SERVICES) {
      const c = find(objects, 'Deployment', s)!.spec.template.spec.containers[0];
      expect(
        (c.envFrom ?? []).some((f: any) => f.configMapRef?.name.startsWith('pixsim-common-')),
        `${s} reads pixsim-common`,
      ).toBe(true);
      expect(
        (c.env ?? []).map((e: any) => e.name),
        `${s} does not override the endpoint`,
      ).not.toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    }
  });

  it('when it reads the Kubernetes API, then only to get, list and watch pods, namespaces and replicasets, as its own ServiceAccount', () => {
    const objects = objectsOf('overlays/prod');
    const { pod } = collectorOf(objects);
    const bindings = [...byKind(objects, 'ClusterRoleBinding'), ...byKind(objects, 'RoleBinding')].filter((b) =>
      ((b.subjects ?? []) as any[]).some(
        (s: any) => s.kind === 'ServiceAccount' && s.name === pod.serviceAccountName && s.namespace === 'pixsim',
      ),
    );
    expect(bindings).toHaveLength(1);
    const roleRef = bindings[0]!.roleRef as { kind: string; name: string };
    const role = find(objects, roleRef.kind, roleRef.name)!;
    const granted = (role.rules as any[]).flatMap((r) =>
      r.resources.flatMap((res: string) =>
        r.verbs.map((v: string) => `${r.apiGroups.join('|') || 'core'}/${res}:${v}`),
      ),
    );
    for (const g of granted) expect(g).toMatch(/^(core\/(pods|namespaces)|apps\/replicasets):(get|list|watch)$/);
    expect(granted).toEqual(
      expect.arrayContaining(['core/pods:watch', 'core/namespaces:watch', 'apps/replicasets:watch']),
    );
    expect(find(objects, 'ServiceAccount', pod.serviceAccountName)).toBeDefined();
  });

  it("when NetworkPolicies apply, then pixsim's pods reach it on 4317 and 4318, and it reaches its backend", () => {
    const objects = objectsOf('overlays/prod');
    const labels = collectorOf(objects).deployment.spec.template.metadata.labels;
    const nps = byKind(objects, 'NetworkPolicy').filter((np) => selects(np.spec.podSelector, labels));
    const ingress: any[] = nps.flatMap((np) => np.spec.ingress ?? []);
    const inPorts = ingress.flatMap((r: any) => (r.ports ?? []).map((p: any) => p.port)).sort();
    expect(inPorts).toEqual([4317, 4318]);
    const gateway = find(objects, 'Deployment', 'gateway')!.spec.template.metadata.labels;
    for (const rule of ingress) {
      expect((rule.from ?? []).some((peer: any) => !peer.namespaceSelector && selects(peer.podSelector, gateway))).toBe(
        true,
      );
    }
    const env = find(objects, 'ConfigMap', collectorOf(objects).container.envFrom[0].configMapRef.name)!.data!;
    const backend = new URL(env.TRACES_BACKEND_ENDPOINT!);
    const port = Number(backend.port || (backend.protocol === 'https:' ? 443 : 80));
    const outPorts = nps
      .filter((np) => (np.spec.policyTypes ?? []).includes('Egress'))
      .flatMap((np) => (np.spec.egress ?? []).flatMap((r: any) => (r.ports ?? []).map((p: any) => p.port)));
    expect(outPorts).toContain(port);
  });

  it('when the dev overlay is rendered, then it has no collector of its own', () => {
    expect(find(objectsOf('overlays/dev'), 'Deployment', 'otel-collector')).toBeUndefined();
  });
});
