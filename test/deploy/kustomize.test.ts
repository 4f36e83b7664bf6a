import { describe, expect, it } from 'vitest';
import { CONSUMERS, createKeys, isEventType, SERVICES, streamsConsumedBy, type ServiceName } from '@pixsim/contracts';
import { graceSeconds, loadConfig } from '@pixsim/kit';
import {
  byKind,
  find,
  findConfigMap,
  findKubectl,
  KUSTOMIZATIONS,
  OVERLAYS,
  podTemplates,
  readRepoFile,
  render,
  selects,
  type K8sObject,
} from './manifests.js';
import { validateObject } from './schemas.js';
import { CONFIG_SCHEMAS, DRAIN_MS, GATEWAY_PORT, placeholderSecret, SERVICE_PORTS } from './service-env.js';

const kubectl = findKubectl();
if (!kubectl.ok) console.warn(`test/deploy/kustomize.test.ts: SKIPPED, ${kubectl.reason}`);

const rendered = new Map<string, K8sObject[]>();
const objectsOf = (dir: string): K8sObject[] => {
  if (!rendered.has(dir)) rendered.set(dir, render(dir));
  return rendered.get(dir)!;
};

const deploymentOf = (objects: K8sObject[], service: ServiceName): K8sObject => {
  const d = find(objects, 'Deployment', service);
  if (!d) throw new Error(`no Deployment ${service}`);
  return d;
};
const containerOf = (objects: K8sObject[], service: ServiceName) => {
  const c = deploymentOf(objects, service).spec.template.spec.containers.find((x: any) => x.name === service);
  if (!c) throw new Error(`Deployment ${service} has no container named ${service}`);
  return c;
};

/** The environment a container starts with: ConfigMaps, literal values, Secrets (rendered or stand-ins). */
function containerEnv(
  objects: K8sObject[],
  container: any,
  secrets: 'rendered' | 'placeholders',
): Record<string, string> {
  const env: Record<string, string> = {};
  const configMap = (name: string): Record<string, string> => {
    const cm = find(objects, 'ConfigMap', name) ?? findConfigMap(objects, name.replace(/-[a-z0-9]{10}$/, ''));
    if (!cm) throw new Error(`ConfigMap ${name} is referenced but not rendered`);
    return cm.data ?? {};
  };
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, configMap(from.configMapRef.name));
    if (from.secretRef) throw new Error('envFrom secretRef hides which keys a service gets: use secretKeyRef');
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.fieldRef) env[e.name] = `field-${e.valueFrom.fieldRef.fieldPath}`;
    else if (e.valueFrom?.configMapKeyRef) {
      const v = configMap(e.valueFrom.configMapKeyRef.name)[e.valueFrom.configMapKeyRef.key];
      if (v !== undefined) env[e.name] = v;
    } else if (e.valueFrom?.secretKeyRef) {
      const { name, key, optional } = e.valueFrom.secretKeyRef;
      if (secrets === 'placeholders') {
        if (!optional) env[e.name] = placeholderSecret(key);
        continue;
      }
      const s = find(objects, 'Secret', name);
      const v =
        s?.stringData?.[key] ??
        (s?.data?.[key] !== undefined ? Buffer.from(s.data[key]!, 'base64').toString() : undefined);
      if (v === undefined && !optional) throw new Error(`${e.name}: Secret ${name} key ${key} is not rendered`);
      if (v !== undefined) env[e.name] = v;
    }
  }
  return env;
}

/** Egress `port/protocol` allowed to pods with these labels, each with where to ("*" = anywhere). */
function egressOf(objects: K8sObject[], labels: Record<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const np of byKind(objects, 'NetworkPolicy')) {
    if (!selects(np.spec.podSelector, labels) || !(np.spec.policyTypes ?? []).includes('Egress')) continue;
    for (const rule of np.spec.egress ?? []) {
      const to = rule.to ? JSON.stringify(rule.to) : '*';
      for (const p of rule.ports ?? [{ port: 'all' }]) {
        const key = `${p.port}/${p.protocol ?? 'TCP'}`;
        out.set(key, [...(out.get(key) ?? []), to]);
      }
    }
  }
  return out;
}

const BASELINE_EGRESS = ['53/UDP', '53/TCP', '4317/TCP', '4318/TCP'];
/** Kinds that belong to no namespace (the trace collector's RBAC is cluster-wide). */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
/** What each service talks to (README "How a job flows"), as ports. */
const EXPECTED_EGRESS: Record<ServiceName, string[]> = {
  gateway: ['6379/TCP', '27017/TCP', '4222/TCP', '443/TCP'],
  'job-intake': ['6379/TCP', '27017/TCP'],
  dispatcher: ['6379/TCP', '27017/TCP', '443/TCP'],
  poller: ['6379/TCP', '27017/TCP', '443/TCP'],
  asset: ['6379/TCP', '27017/TCP'],
};
const PROVIDER_CALLERS: ServiceName[] = ['dispatcher', 'poller'];
const SEALING_ENV = new Set(['PIXSIM_SEALING_PUBLIC_KEY', 'PIXSIM_SEALING_PRIVATE_KEYS']);

describe.skipIf(!kubectl.ok)('k8s manifests (kubectl kustomize)', () => {
  describe.each(KUSTOMIZATIONS)('k8s/%s', (dir) => {
    it('when rendered, then it yields objects, each valid against its schema', () => {
      const objects = objectsOf(dir);
      expect(objects.length).toBeGreaterThan(0);
      const invalid = objects
        .map((o) => ({ id: `${o.kind}/${o.metadata?.name}`, error: validateObject(o) }))
        .filter((r) => r.error !== null);
      expect(invalid).toEqual([]);
    });

    it('when rendered, then no two objects share a kind and name', () => {
      const ids = objectsOf(dir).map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    });

    it('when rendered, then every workload has probes, requests and limits, and a restricted non-root security context', () => {
      const problems: string[] = [];
      for (const { owner, template } of podTemplates(objectsOf(dir))) {
        const pod = template.spec;
        const where = `${owner.kind}/${owner.metadata.name}`;
        if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push(`${where}: host namespaces`);
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
          const at = `${where}/${c.name}`;
          const sc = { ...pod.securityContext, ...c.securityContext };
          if (!['Job', 'CronJob'].includes(owner.kind) && !(pod.initContainers ?? []).includes(c)) {
            if (!c.readinessProbe) problems.push(`${at}: no readinessProbe`);
            if (!c.livenessProbe) problems.push(`${at}: no livenessProbe`);
          }
          for (const kind of ['requests', 'limits'] as const) {
            for (const r of ['cpu', 'memory']) if (!c.resources?.[kind]?.[r]) problems.push(`${at}: no ${kind}.${r}`);
          }
          if (sc.runAsNonRoot !== true) problems.push(`${at}: runAsNonRoot is not true`);
          if (!(Number(sc.runAsUser) > 0)) problems.push(`${at}: runAsUser is not a non-zero uid`);
          if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
          if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem is not true`);
          if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${at}: capabilities not dropped`);
          if (sc.privileged) problems.push(`${at}: privileged`);
          if (sc.seccompProfile?.type !== 'RuntimeDefault')
            problems.push(`${at}: seccompProfile is not RuntimeDefault`);
        }
      }
      expect(problems).toEqual([]);
    });
  });

  it('when an overlay sets a namespace, then every namespaced object lands in it', () => {
    for (const [dir, ns] of [
      ['overlays/dev', 'pixsim-dev'],
      ['overlays/prod', 'pixsim'],
    ] as const) {
      const objects = objectsOf(dir);
      expect(find(objects, 'Namespace', ns), `${dir} creates its namespace`).toBeDefined();
      expect(find(objects, 'Namespace', ns)!.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe(
        'restricted',
      );
      const stray = objects
        .filter((o) => !CLUSTER_SCOPED.has(o.kind) && o.metadata.namespace !== ns)
        .map((o) => `${o.kind}/${o.metadata.name}`);
      expect(stray, dir).toEqual([]);
    }
  });

  describe.each(OVERLAYS)('k8s/%s: the five services', (dir) => {
    it('when rendered, then each service has one Deployment of the one image, started by name, with a ServiceAccount, a Service and a PDB', () => {
      const objects = objectsOf(dir);
      const images = new Set<string>();
      for (const service of SERVICES) {
        const d = deploymentOf(objects, service);
        const pod = d.spec.template.spec;
        const c = containerOf(objects, service);
        images.add(c.image);
        expect(c.args, service).toEqual([service]);
        expect(d.spec.replicas, `${service}: the autoscaler owns replicas`).toBeUndefined();
        expect(find(objects, 'ServiceAccount', pod.serviceAccountName), service).toBeDefined();
        expect(pod.automountServiceAccountToken, service).toBe(false);
        const labels = d.spec.template.metadata.labels;
        expect(selects(d.spec.selector, labels), `${service}: selector matches its pods`).toBe(true);
        const svc = byKind(objects, 'Service').filter((s) => selects({ matchLabels: s.spec.selector }, labels));
        expect(
          svc.map((s) => s.metadata.name),
          service,
        ).toEqual([service]);
        const pdbs = byKind(objects, 'PodDisruptionBudget').filter((p) => selects(p.spec.selector, labels));
        expect(pdbs.length, `${service}: one PodDisruptionBudget`).toBe(1);
        expect(
          pdbs[0]!.spec.minAvailable,
          `${service}: minAvailable would block drains of a single replica`,
        ).toBeUndefined();
      }
      expect([...images]).toHaveLength(1);
      // Prod runs a release by tag and digest (kustomize images: digest), never a tag alone.
      if (dir === 'overlays/prod')
        expect([...images][0]).toMatch(/^[^:@]+\/[^:@]+:(?!latest@)[\w.-]+@sha256:[0-9a-f]{64}$/);
    });

    it('when rendered, then probes ask /health (startup, liveness) and /ready (readiness) on the port the service listens on', () => {
      const objects = objectsOf(dir);
      for (const service of SERVICES) {
        const c = containerOf(objects, service);
        const { variable, port } = SERVICE_PORTS[service];
        const env = containerEnv(objects, c, 'placeholders');
        expect(env[variable], `${service} ${variable}`).toBe(String(port));
        const named = (c.ports ?? []).find((p: any) => p.containerPort === port);
        expect(named, `${service} declares port ${port}`).toBeDefined();
        // The gateway's liveness is its API port (the one that must answer); /ready is on the side server.
        const publicPort = (c.ports ?? []).find((p: any) => p.containerPort === GATEWAY_PORT);
        if (service === 'gateway') expect(env.PORT).toBe(String(GATEWAY_PORT));
        for (const [probe, path] of [
          ['startupProbe', '/health'],
          ['livenessProbe', '/health'],
          ['readinessProbe', '/ready'],
        ] as const) {
          expect(c[probe]?.httpGet?.path, `${service} ${probe}`).toBe(path);
          const at = service === 'gateway' && probe !== 'readinessProbe' ? publicPort : named;
          expect([at.name, at.containerPort], `${service} ${probe} port`).toContain(c[probe].httpGet.port);
        }
      }
    });

    it('when a pod is stopped, then it is given longer than the drain its config yields (plus any preStop pause)', () => {
      const objects = objectsOf(dir);
      const mode = dir === 'overlays/dev' ? 'rendered' : 'placeholders';
      for (const service of SERVICES) {
        const pod = deploymentOf(objects, service).spec.template.spec;
        const c = containerOf(objects, service);
        const cmd: string[] = c.lifecycle?.preStop?.exec?.command ?? [];
        const pause = cmd[0] === 'sleep' ? Number(cmd[1]) : 0;
        // The drain as the service computes it at start, from the environment this manifest gives it.
        const config = loadConfig(CONFIG_SCHEMAS[service], containerEnv(objects, c, mode));
        const drain = DRAIN_MS[service](config);
        expect(drain, `${service}: a drain at least as long as the old fixed 25 s`).toBeGreaterThanOrEqual(20_000);
        expect(
          pod.terminationGracePeriodSeconds,
          `${service}: drain ${drain} ms + preStop ${pause} s`,
        ).toBeGreaterThanOrEqual(graceSeconds(drain, pause));
      }
      // The dispatcher's drain covers a whole provider call: the longest call it can be in.
      const dispatcher = loadConfig(
        CONFIG_SCHEMAS.dispatcher,
        containerEnv(objects, containerOf(objects, 'dispatcher'), mode),
      ) as { PROVIDER_TIMEOUT_MS: number };
      expect(DRAIN_MS.dispatcher(dispatcher)).toBeGreaterThan(dispatcher.PROVIDER_TIMEOUT_MS);
    });

    it('when a service starts, then its environment parses with its own config schema', () => {
      const objects = objectsOf(dir);
      const mode = dir === 'overlays/dev' ? 'rendered' : 'placeholders';
      for (const service of SERVICES) {
        const env = containerEnv(objects, containerOf(objects, service), mode);
        expect(() => loadConfig(CONFIG_SCHEMAS[service], env), service).not.toThrow();
        expect(env.OTEL_SERVICE_NAME, service).toBe(service);
        expect(env.CONSUMER_NAME, `${service}: a stable, unique consumer name per pod`).toBe('field-metadata.name');
      }
    });

    it('when a service gets secrets, then only the keys it uses, from the Secrets deploy/README.md documents', () => {
      const objects = objectsOf(dir);
      const readme = readRepoFile('deploy/README.md');
      for (const service of SERVICES) {
        for (const e of containerOf(objects, service).env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (!ref) continue;
          expect(readme, `${service}: Secret ${ref.name}`).toContain(`\`${ref.name}\``);
          expect(readme, `${service}: key ${ref.key} of ${ref.name}`).toContain(`\`${ref.key}\``);
          // Loose config schemas would accept extras silently: a key must be one the service reads
          // (or one of the sealing keys, whose parsing lands with the sealing itself).
          if (SEALING_ENV.has(e.name)) continue;
          expect(Object.keys((CONFIG_SCHEMAS[service] as any).shape), `${service} does not read ${e.name}`).toContain(
            e.name,
          );
        }
      }
      for (const ta of byKind(objects, 'TriggerAuthentication')) {
        for (const ref of ta.spec.secretTargetRef ?? []) {
          expect(readme, `TriggerAuthentication ${ta.metadata.name}: ${ref.name}`).toContain(`\`${ref.name}\``);
          expect(readme, `TriggerAuthentication ${ta.metadata.name}: ${ref.key}`).toContain(`\`${ref.key}\``);
        }
      }
    });

    it('when autoscaling, then every service has exactly one scaler: the gateway an HPA on CPU, each worker a KEDA ScaledObject', () => {
      const objects = objectsOf(dir);
      for (const service of SERVICES) {
        const hpas = byKind(objects, 'HorizontalPodAutoscaler').filter(
          (h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === service,
        );
        const scaled = byKind(objects, 'ScaledObject').filter(
          (s) =>
            (s.spec.scaleTargetRef.kind ?? 'Deployment') === 'Deployment' && s.spec.scaleTargetRef.name === service,
        );
        expect(hpas.length + scaled.length, `${service}: scalers`).toBe(1);
        const scaler = (hpas[0] ?? scaled[0])!;
        const [min, max] = hpas[0]
          ? [scaler.spec.minReplicas, scaler.spec.maxReplicas]
          : [scaler.spec.minReplicaCount, scaler.spec.maxReplicaCount];
        expect(min, `${service} min`).toBeGreaterThanOrEqual(1);
        expect(max, `${service} max`).toBeGreaterThan(min);
        expect(
          scaler.spec.advanced?.horizontalPodAutoscalerConfig?.behavior?.scaleDown?.stabilizationWindowSeconds ??
            scaler.spec.behavior?.scaleDown?.stabilizationWindowSeconds,
          `${service}: a scale-down cooldown`,
        ).toBeGreaterThanOrEqual(60);
        if (service === 'gateway') {
          expect(hpas, 'gateway scales on CPU').toHaveLength(1);
          expect(scaler.spec.metrics.map((m: any) => m.resource?.name)).toEqual(['cpu']);
          const c = containerOf(objects, service);
          expect(c.resources.requests.cpu, 'CPU utilisation needs a CPU request').toBeDefined();
        } else {
          expect(scaled, `${service} scales on its lag`).toHaveLength(1);
        }
      }
    });

    it("when KEDA scales a worker, then it watches its own group's lag on exactly the streams the group consumes (libs/contracts)", () => {
      const objects = objectsOf(dir);
      const prefix = findConfigMap(objects, 'pixsim-common')?.data?.STREAM_PREFIX;
      expect(prefix).toBe('pixsim');
      const keys = createKeys(prefix);
      const streamTypes = new Map<string, string>(
        Object.keys(CONSUMERS)
          .filter(isEventType)
          .map((t) => [keys.stream(t), t]),
      );
      for (const so of byKind(objects, 'ScaledObject')) {
        const service = so.spec.scaleTargetRef.name as ServiceName;
        expect(SERVICES, `${so.metadata.name} targets a pixsim service`).toContain(service);
        const watched: string[] = [];
        for (const t of so.spec.triggers) {
          const at = `${so.metadata.name} trigger ${t.metadata?.stream ?? t.name}`;
          if (t.type === 'prometheus') continue; // the poller's work in flight: its own check below
          expect(t.type, at).toBe('redis-streams');
          const type = streamTypes.get(t.metadata.stream);
          expect(type, `${at}: a stream of libs/contracts with prefix ${prefix}`).toBeDefined();
          expect(t.metadata.consumerGroup, `${at}: group = service name`).toBe(service);
          expect(CONSUMERS[type as keyof typeof CONSUMERS], `${at}: group ${service} consumes it`).toContain(service);
          expect(Number(t.metadata.lagCount), `${at} lagCount`).toBeGreaterThan(0);
          expect(t.metadata.activationLagCount, `${at} activationLagCount`).toMatch(/^\d+$/);
          expect(t.metadata.pendingEntriesCount, `${at}: lag, not pending entries`).toBeUndefined();
          expect(t.metadata.streamLength, `${at}: lag, not stream length`).toBeUndefined();
          const auth = find(objects, 'TriggerAuthentication', t.authenticationRef?.name);
          expect(auth, `${at}: TriggerAuthentication`).toBeDefined();
          const params = new Set([
            ...(auth!.spec.secretTargetRef ?? []).map((r: any) => r.parameter),
            ...Object.keys(t.metadata),
          ]);
          expect(
            params.has('address') || params.has('addressFromEnv') || params.has('host'),
            `${at}: where Redis is`,
          ).toBe(true);
          watched.push(type!);
        }
        expect(watched.sort(), `${service}: one trigger per consumed stream`).toEqual(
          streamsConsumedBy(service).sort(),
        );
      }
    });

    it('when generations are in flight without lag, then only in prod the poller also scales on how many there are', () => {
      const objects = objectsOf(dir);
      const extra = byKind(objects, 'ScaledObject').flatMap((so) =>
        so.spec.triggers
          .filter((t: any) => t.type !== 'redis-streams')
          .map((t: any) => [so.spec.scaleTargetRef.name, t]),
      );
      if (dir !== 'overlays/prod') return void expect(extra).toEqual([]);
      expect(extra.map(([name]) => name)).toEqual(['poller']);
      const [, t] = extra[0]!;
      expect(t.type).toBe('prometheus');
      // The gauge every poller replica serves (services/poller), over the shared collection: max, not sum.
      expect(t.metadata.query).toMatch(/^max\(pixsim_generations_polling\{namespace="pixsim"\}\)$/);
      expect(t.metadata.serverAddress).toMatch(/^https?:\/\/[^/]+:\d+$/);
      expect(Number(t.metadata.threshold)).toBeGreaterThan(0);
      const poller = byKind(objects, 'ScaledObject').find((so) => so.spec.scaleTargetRef.name === 'poller')!;
      // At the threshold's pace (one replica per `threshold` generations), maxReplicaCount covers 50,000 in flight.
      expect(poller.spec.maxReplicaCount * Number(t.metadata.threshold)).toBeGreaterThanOrEqual(50_000);
    });

    it('when NetworkPolicies apply, then everything is denied and each service reaches only what it uses', () => {
      const objects = objectsOf(dir);
      const nps = byKind(objects, 'NetworkPolicy');
      for (const service of SERVICES) {
        const labels = deploymentOf(objects, service).spec.template.metadata.labels;
        const deny = nps.find((np) => selects(np.spec.podSelector, labels) && !np.spec.ingress && !np.spec.egress);
        expect(deny?.spec.policyTypes?.sort(), `${service}: a default-deny for both directions`).toEqual([
          'Egress',
          'Ingress',
        ]);

        const egress = egressOf(objects, labels);
        const expected = [...BASELINE_EGRESS, ...EXPECTED_EGRESS[service]];
        if (dir === 'overlays/dev' && PROVIDER_CALLERS.includes(service)) expected.push('8080/TCP');
        expect([...egress.keys()].sort(), `${service} egress`).toEqual(expected.sort());
        if (egress.has('8080/TCP')) {
          expect(
            egress.get('8080/TCP')!.every((to) => to.includes('pixverse-sim')),
            `${service}: 8080 only to the simulator`,
          ).toBe(true);
        }
        const env = containerEnv(objects, containerOf(objects, service), 'placeholders');
        expect(egress.has('4222/TCP'), `${service}: NATS egress iff it is given NATS_URL`).toBe(
          env.NATS_URL !== undefined,
        );

        const ingress = nps
          .filter((np) => selects(np.spec.podSelector, labels) && (np.spec.policyTypes ?? []).includes('Ingress'))
          .flatMap((np) => np.spec.ingress ?? []);
        const { port } = SERVICE_PORTS[service];
        expect(ingress.length, `${service}: some ingress is allowed`).toBeGreaterThan(0);
        for (const rule of ingress) {
          const ports = (rule.ports ?? []).map((p: any) => p.port);
          // The gateway's API is open to all; every side server (/ready, /metrics) only to Prometheus.
          if (service === 'gateway' && ports.join() === String(GATEWAY_PORT)) {
            expect(rule.from, 'gateway API: from anywhere').toBeUndefined();
            continue;
          }
          expect(ports, `${service} ingress ports`).toEqual([port]);
          expect(rule.from, `${service}: ingress from Prometheus only`).toBeDefined();
          for (const peer of rule.from) {
            expect(
              peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'],
              `${service} ingress namespace`,
            ).toBe('monitoring');
            expect(peer.podSelector?.matchLabels?.['app.kubernetes.io/name'], `${service} ingress pods`).toBe(
              'prometheus',
            );
          }
        }
      }
    });
  });

  describe('k8s/overlays/dev: self-contained', () => {
    it('when rendered, then Redis (AOF), MongoDB (replica set), NATS and the simulator run in the cluster, and the endpoints point at them', () => {
      const objects = objectsOf('overlays/dev');
      const redis = find(objects, 'StatefulSet', 'redis')!;
      expect(redis.spec.template.spec.containers[0].args.join(' ')).toContain('--appendonly yes');
      const mongo = find(objects, 'StatefulSet', 'mongodb')!;
      expect(mongo.spec.template.spec.containers[0].args).toContain('--replSet');
      expect(find(objects, 'Deployment', 'nats')).toBeDefined();
      expect(find(objects, 'Deployment', 'pixverse-sim')).toBeDefined();
      const endpoints = find(objects, 'Secret', 'pixsim-endpoints')!.stringData!;
      const hostOf = (url: string) => new URL(url).hostname;
      for (const [key, svc] of [
        ['REDIS_URL', 'redis'],
        ['MONGODB_URI_GATEWAY', 'mongodb'],
        ['NATS_URL', 'nats'],
      ] as const) {
        expect(hostOf(endpoints[key]!), key).toBe(svc);
        expect(find(objects, 'Service', svc), `Service ${svc}`).toBeDefined();
      }
      expect(new URL(endpoints.MONGODB_URI_GATEWAY!).searchParams.get('replicaSet')).toBe('rs0');
      const common = findConfigMap(objects, 'pixsim-common')!.data!;
      expect(hostOf(common.PIXVERSE_BASE_URL!)).toBe('pixverse-sim');
      const keda = find(objects, 'Secret', 'pixsim-keda-redis')!.stringData!;
      expect(keda.address, "KEDA reads from its own namespace: the Redis Service's full name").toBe(
        'redis.pixsim-dev.svc.cluster.local:6379',
      );
    });

    it('when rendered, then a Job seeds the simulator account the simulator was started with', () => {
      const objects = objectsOf('overlays/dev');
      const sim = find(objects, 'Deployment', 'pixverse-sim')!.spec.template.spec.containers[0];
      const job = find(objects, 'Job', 'seed-account')!.spec.template.spec.containers[0];
      const account = sim.args[sim.args.indexOf('--account') + 1];
      expect(job.args).toEqual(['seed-account']);
      expect(job.env.find((e: any) => e.name === 'SIM_ACCOUNT').value).toBe(account);
    });
  });

  describe('k8s/overlays/prod: external endpoints', () => {
    it('when rendered, then no Secret is in git and monitoring is included', () => {
      const objects = objectsOf('overlays/prod');
      expect(byKind(objects, 'Secret')).toEqual([]);
      expect(byKind(objects, 'PrometheusRule')).toHaveLength(1);
      expect(byKind(objects, 'ServiceMonitor').length).toBeGreaterThan(0);
      for (const kind of ['StatefulSet'])
        expect(byKind(objects, kind), `no in-cluster datastores (${kind})`).toEqual([]);
      expect(SERVICES.map((s) => find(objects, 'Deployment', s) !== undefined)).not.toContain(false);
      // The five services, and the trace collector they send to (test/deploy/otel-collector.test.ts).
      expect(
        byKind(objects, 'Deployment')
          .map((d) => d.metadata.name)
          .sort(),
      ).toEqual([...SERVICES, 'otel-collector'].sort());
    });
  });

  describe('k8s/base/monitoring', () => {
    it('when alerts are defined, then lag, DLQ growth, an open breaker, a stalled group and failing callbacks are covered', () => {
      const rule = byKind(objectsOf('base/monitoring'), 'PrometheusRule')[0]!;
      const alerts = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
      for (const name of [
        'PixsimConsumerLagHigh',
        'PixsimDeadLettersGrowing',
        'PixsimCircuitBreakerOpen',
        'PixsimConsumerGroupStalled',
        'PixsimCallbacksFailing',
      ]) {
        expect(alerts).toContain(name);
      }
      for (const r of rule.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert)) {
        expect(r.labels?.severity, r.alert).toMatch(/^(info|warning|critical)$/);
        expect(r.annotations?.summary, r.alert).toBeTruthy();
      }
    });

    it('when the ServiceMonitors scrape, then they select every service on the port that serves /metrics', () => {
      const base = objectsOf('base');
      const monitors = byKind(objectsOf('base/monitoring'), 'ServiceMonitor');
      for (const service of SERVICES) {
        const svc = find(base, 'Service', service)!;
        const hits = monitors.filter((m) => selects(m.spec.selector, svc.metadata.labels));
        expect(hits, service).toHaveLength(1);
        const portNames = svc.spec.ports.map((p: any) => p.name);
        expect(
          hits[0]!.spec.endpoints.some((e: any) => portNames.includes(e.port) && e.path === '/metrics'),
          service,
        ).toBe(true);
      }
    });

    it('when Grafana loads the dashboard ConfigMap, then it is the JSON file of the repository', () => {
      const cm = find(objectsOf('base/monitoring'), 'ConfigMap', 'pixsim-grafana-dashboard')!;
      expect(cm.metadata.labels?.grafana_dashboard).toBe('1');
      expect(JSON.parse(cm.data!['pixsim-dashboard.json']!)).toEqual(
        JSON.parse(readRepoFile('k8s/base/monitoring/pixsim-dashboard.json')),
      );
    });
  });
});
