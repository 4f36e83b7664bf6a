import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeys, SERVICES, streamsConsumedBy, type ServiceName } from '@pixsim/contracts';
import {
  byKind,
  find,
  findConfigMap,
  findKubectl,
  K8S,
  OVERLAYS,
  parseYamlDocs,
  readRepoFile,
  render,
  REPO_ROOT,
  selects,
  type K8sObject,
} from './manifests.js';

const kubectl = findKubectl();
const rendered = new Map<string, K8sObject[]>();
const objectsOf = (dir: string): K8sObject[] => {
  if (!rendered.has(dir)) rendered.set(dir, render(dir));
  return rendered.get(dir)!;
};
const deployment = (objects: K8sObject[], s: string) => find(objects, 'Deployment', s)!;
const container = (objects: K8sObject[], s: string) =>
  deployment(objects, s).spec.template.spec.containers.find((c: any) => c.name === s);
const envNamed = (c: any, name: string) => (c.env ?? []).find((e: any) => e.name === name);

/** Public IPv4/IPv6 only: what the gateway's HTTPS egress (callbacks) must leave out. */
const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8'];
const PRIVATE_V6 = ['fc00::/7', 'fe80::/10', '::1/128'];

describe.skipIf(!kubectl.ok)('operating pixsim on Kubernetes (rendered overlays)', () => {
  describe.each(OVERLAYS)('k8s/%s', (dir) => {
    it('when a node is drained, then every PDB lets unhealthy pods go (unhealthyPodEvictionPolicy: AlwaysAllow)', () => {
      const pdbs = byKind(objectsOf(dir), 'PodDisruptionBudget');
      // One per service, and the trace collector's where the overlay ships one (prod).
      const collector = find(objectsOf(dir), 'Deployment', 'otel-collector') ? 1 : 0;
      expect(pdbs.length).toBe(SERVICES.length + collector);
      for (const p of pdbs) expect(p.spec.unhealthyPodEvictionPolicy, p.metadata.name).toBe('AlwaysAllow');
    });

    it('when pods are scheduled, then each service spreads over nodes (hard) and zones (soft), per rollout', () => {
      for (const s of SERVICES) {
        const pod = deployment(objectsOf(dir), s).spec.template;
        const spread = pod.spec.topologySpreadConstraints ?? [];
        const byKey = new Map(spread.map((c: any) => [c.topologyKey, c]));
        const host: any = byKey.get('kubernetes.io/hostname');
        const zone: any = byKey.get('topology.kubernetes.io/zone');
        expect(host?.whenUnsatisfiable, `${s} hostname`).toBe('DoNotSchedule');
        expect(zone?.whenUnsatisfiable, `${s} zone`).toBe('ScheduleAnyway');
        for (const c of [host, zone]) {
          expect(c.maxSkew, s).toBe(1);
          expect(selects(c.labelSelector, pod.metadata.labels), `${s}: the constraint counts its own pods`).toBe(true);
          expect(c.matchLabelKeys, s).toEqual(['pod-template-hash']);
        }
      }
    });

    it('when settings change, then the ConfigMaps the services read carry a content hash in their name (a change rolls the pods)', () => {
      const objects = objectsOf(dir);
      for (const s of SERVICES) {
        const refs = (container(objects, s).envFrom ?? []).map((f: any) => f.configMapRef?.name).filter(Boolean);
        expect(refs.length, s).toBeGreaterThanOrEqual(2);
        for (const name of refs) {
          expect(name, `${s} reads ${name}`).toMatch(/-[a-z0-9]{10}$/);
          expect(find(objects, 'ConfigMap', name), name).toBeDefined();
        }
      }
    });

    it('when a service reports, then it knows its pod, namespace and Deployment (downward API), and samples traces by ratio', () => {
      const objects = objectsOf(dir);
      const common = findConfigMap(objects, 'pixsim-common')!.data!;
      expect(common.OTEL_TRACES_SAMPLER).toBe('parentbased_traceidratio');
      expect(Number(common.OTEL_TRACES_SAMPLER_ARG)).toBeGreaterThan(0);
      expect(Number(common.OTEL_TRACES_SAMPLER_ARG)).toBeLessThanOrEqual(1);
      for (const s of SERVICES) {
        const c = container(objects, s);
        const field = (n: string) => envNamed(c, n)?.valueFrom?.fieldRef?.fieldPath;
        expect(field('K8S_POD_NAME'), s).toBe('metadata.name');
        expect(field('K8S_NAMESPACE_NAME'), s).toBe('metadata.namespace');
        expect(field('K8S_DEPLOYMENT_NAME'), s).toBe("metadata.labels['app.kubernetes.io/name']");
        expect(deployment(objects, s).spec.template.metadata.labels['app.kubernetes.io/name']).toBe(s);
      }
    });

    it('when provider keys are sealed and opened, then only the gateway holds the public key and only the dispatcher and the poller the private ones', () => {
      const objects = objectsOf(dir);
      for (const s of SERVICES) {
        const c = container(objects, s);
        expect(Boolean(envNamed(c, 'PIXSIM_SEALING_PUBLIC_KEY')), `${s} public`).toBe(s === 'gateway');
        expect(Boolean(envNamed(c, 'PIXSIM_SEALING_PRIVATE_KEYS')), `${s} private`).toBe(
          s === 'dispatcher' || s === 'poller',
        );
      }
    });

    it('when each service connects to MongoDB, then with its own credentials (its own key of pixsim-endpoints)', () => {
      const objects = objectsOf(dir);
      const keys = SERVICES.map((s) => envNamed(container(objects, s), 'MONGODB_URI')?.valueFrom?.secretKeyRef?.key);
      expect(keys).toEqual(SERVICES.map((s) => `MONGODB_URI_${s.toUpperCase().replace('-', '_')}`));
    });

    it('when the gateway sends callbacks, then HTTPS (443) egress reaches public addresses only', () => {
      const objects = objectsOf(dir);
      const labels = deployment(objects, 'gateway').spec.template.metadata.labels;
      const rules = byKind(objects, 'NetworkPolicy')
        .filter((np) => selects(np.spec.podSelector, labels))
        .flatMap((np) => np.spec.egress ?? [])
        .filter((r: any) => (r.ports ?? []).some((p: any) => p.port === 443));
      expect(rules).toHaveLength(1);
      const [rule] = rules;
      expect(rule.ports).toEqual([{ port: 443, protocol: 'TCP' }]);
      const blocks = rule.to.map((t: any) => t.ipBlock);
      expect(blocks.every(Boolean), 'only ipBlocks: no pod or namespace of the cluster').toBe(true);
      const v4 = blocks.find((b: any) => b.cidr === '0.0.0.0/0');
      const v6 = blocks.find((b: any) => b.cidr === '::/0');
      expect(v4?.except).toEqual(expect.arrayContaining(PRIVATE_V4));
      expect(v6?.except).toEqual(expect.arrayContaining(PRIVATE_V6));
      expect(blocks).toHaveLength(2);
    });

    it('when a release rolls out, then no service Deployment runs the index migration: a Job of its own kustomization does', () => {
      const objects = objectsOf(dir);
      expect(find(objects, 'Job', 'pixsim-migrate')).toBeUndefined();
      const migrate = objectsOf(`${dir}/migrate`);
      const job = find(migrate, 'Job', 'pixsim-migrate')!;
      const c = job.spec.template.spec.containers[0];
      expect(c.args).toEqual(['migrate']);
      expect(c.image, 'the release it prepares').toBe(container(objects, 'gateway').image);
      expect(envNamed(c, 'MONGODB_URI').valueFrom.secretKeyRef).toMatchObject({
        name: 'pixsim-endpoints',
        key: 'MONGODB_URI_MAINTENANCE',
      });
      expect(job.metadata.namespace).toBe(deployment(objects, 'gateway').metadata.namespace);
      // The migration may reach MongoDB (the maintenance policy lives with the services).
      const egress = byKind(objects, 'NetworkPolicy')
        .filter((np) => selects(np.spec.podSelector, job.spec.template.metadata.labels))
        .flatMap((np) => np.spec.egress ?? [])
        .flatMap((r: any) => (r.ports ?? []).map((p: any) => p.port));
      expect(egress).toContain(27017);
    });

    it('when the night comes, then each service database has its backup CronJob, on a volume, with the maintenance credentials', () => {
      const objects = objectsOf(dir);
      const cronjobs = byKind(objects, 'CronJob');
      for (const s of SERVICES) {
        const cj = find(objects, 'CronJob', `backup-${s}`)!;
        expect(cj, s).toBeDefined();
        expect(cj.spec.concurrencyPolicy).toBe('Forbid');
        const c = cj.spec.jobTemplate.spec.template.spec.containers[0];
        expect(c.args.slice(0, 4)).toEqual(['backup', 'backup', '--db', `pixsim-${s}`]);
        expect(c.args).toContain('--keep');
        expect(envNamed(c, 'MONGODB_URI').valueFrom.secretKeyRef.key).toBe('MONGODB_URI_MAINTENANCE');
      }
      const backups = cronjobs.filter((c) => c.metadata.name.startsWith('backup-'));
      expect(new Set(backups.map((c) => c.spec.schedule)).size, 'staggered').toBe(SERVICES.length);
      // Retention of Redis consumer names runs beside them (docs/operations/retention.md).
      const prune = find(objects, 'CronJob', 'prune-consumers')!.spec.jobTemplate.spec.template.spec.containers[0];
      expect(prune.args[0]).toBe('prune-consumers');
      expect(find(objects, 'PersistentVolumeClaim', 'pixsim-backups')).toBeDefined();
    });
  });

  describe('k8s/overlays/prod', () => {
    it('when one pod is lost, then the gateway, the dispatcher (its scanner) and the poller still have one running', () => {
      const objects = objectsOf('overlays/prod');
      const hpa = find(objects, 'HorizontalPodAutoscaler', 'gateway')!;
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      for (const s of ['dispatcher', 'poller']) {
        const so = byKind(objects, 'ScaledObject').find((o) => o.spec.scaleTargetRef.name === s)!;
        expect(so.spec.minReplicaCount, s).toBeGreaterThanOrEqual(2);
        if (so.spec.fallback) expect(so.spec.fallback.replicas, s).toBeGreaterThanOrEqual(2);
      }
    });

    it('when it is deployed, then sign-up is closed and the image is pinned by digest (the migration Job too)', () => {
      const objects = objectsOf('overlays/prod');
      expect(findConfigMap(objects, 'gateway-config')!.data!.REGISTRATION).toBe('closed');
      expect(findConfigMap(objects, 'gateway-config')!.data!.REGISTRATION_ENABLED).toBe('false');
      const digest = /@sha256:[0-9a-f]{64}$/;
      for (const s of SERVICES) expect(container(objects, s).image, s).toMatch(digest);
      const kustomization = parseYamlDocs(readRepoFile('k8s/overlays/prod/kustomization.yaml'), 'prod')[0] as any;
      expect(kustomization.images[0].digest, 'kustomize images: digest').toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it('when MongoDB is a replica set, then every service writes with majority write concern', () => {
      const objects = objectsOf('overlays/prod');
      expect(findConfigMap(objects, 'pixsim-common')!.data!.MONGODB_WRITE_CONCERN).toBe('majority');
    });

    it('when kube-prometheus-stack is installed, then it picks up the ServiceMonitors, the rules (release label) and the dashboard (grafana_dashboard)', () => {
      const objects = objectsOf('overlays/prod');
      const monitoring = [...byKind(objects, 'ServiceMonitor'), ...byKind(objects, 'PrometheusRule')];
      expect(monitoring.length).toBeGreaterThanOrEqual(3);
      const release = new Set(monitoring.map((o) => o.metadata.labels?.release));
      expect([...release]).toEqual(['kube-prometheus-stack']);
      const dashboards = byKind(objects, 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1');
      expect(dashboards).toHaveLength(1);
      // The release label is set in one place: the monitoring kustomization.
      expect(readRepoFile('k8s/base/monitoring/kustomization.yaml')).toMatch(/release: kube-prometheus-stack/);
      expect(readRepoFile('k8s/base/monitoring/service-monitors.yaml')).not.toMatch(/release:/);
    });
  });

  describe('k8s/overlays/dev', () => {
    it('when the in-cluster datastores start, then each requires credentials, Redis refuses writes at its ceiling, and the services log in with them', () => {
      const objects = objectsOf('overlays/dev');
      const redis = find(objects, 'StatefulSet', 'redis')!.spec.template.spec.containers[0];
      const arg = (c: any, flag: string) => c.args[c.args.indexOf(flag) + 1];
      expect(arg(redis, '--requirepass')).toBe('$(REDIS_PASSWORD)');
      expect(arg(redis, '--maxmemory-policy')).toBe('noeviction');
      expect(arg(redis, '--maxmemory')).toMatch(/^\d+[kmg]b$/);
      const nats = find(objects, 'Deployment', 'nats')!.spec.template.spec.containers[0];
      expect(arg(nats, '--user')).toBe('$(NATS_USER)');
      expect(arg(nats, '--pass')).toBe('$(NATS_PASSWORD)');
      const mongo = find(objects, 'StatefulSet', 'mongodb')!.spec.template.spec;
      expect(mongo.containers[0].args).toContain('--keyFile');
      expect(envNamed(mongo.containers[0], 'MONGO_INITDB_ROOT_PASSWORD')).toBeDefined();
      const store = find(objects, 'Secret', 'pixsim-datastores')!.stringData!;
      const endpoints = find(objects, 'Secret', 'pixsim-endpoints')!.stringData!;
      expect(new URL(endpoints.REDIS_URL!).password).toBe(store.REDIS_PASSWORD);
      expect(new URL(endpoints.NATS_URL!).password).toBe(store.NATS_PASSWORD);
      expect(find(objects, 'Secret', 'pixsim-keda-redis')!.stringData!.password).toBe(store.REDIS_PASSWORD);
      const users = readRepoFile('k8s/overlays/dev/init/users.js');
      for (const s of SERVICES) {
        const url = new URL(endpoints[`MONGODB_URI_${s.toUpperCase().replace('-', '_')}`]!);
        expect(url.username, s).toBe(s);
        expect(url.pathname, s).toBe(`/pixsim-${s}`);
        expect(url.searchParams.get('authSource'), s).toBe(`pixsim-${s}`);
        expect(url.password, s).toBe(store[`MONGO_PASSWORD_${s.toUpperCase().replace('-', '_')}`]);
      }
      expect(users).toContain("roles: [{ role: 'readWrite', db: database }]");
      expect(findConfigMap(objects, 'mongodb-init')!.data!['users.js']).toBe(users);
    });
  });

  describe('k8s/components/redis-cluster', () => {
    // The component in the prod overlay, rendered from a copy of k8s/ (nothing is written to the repository).
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'pixsim-k8s-'));
    afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));
    const withCluster = (): K8sObject[] => {
      if (!rendered.has('cluster')) {
        fs.cpSync(K8S, path.join(copy, 'k8s'), { recursive: true });
        fs.appendFileSync(
          path.join(copy, 'k8s/overlays/prod/kustomization.yaml'),
          'components:\n  - ../../components/redis-cluster\n',
        );
        rendered.set('cluster', render('overlays/prod', path.join(copy, 'k8s')));
      }
      return rendered.get('cluster')!;
    };

    it('when Redis is a cluster with partitioned streams, then each worker has one redis-cluster-streams trigger per consumed stream and partition, and keeps its other triggers', () => {
      const objects = withCluster();
      const common = findConfigMap(objects, 'pixsim-common')!.data!;
      const partitions = Number(common.STREAM_PARTITIONS);
      expect(partitions).toBeGreaterThan(1);
      // Partition streams carry a suffix that places each in its slot range: the names must be the bus's own.
      const keys = createKeys(common.STREAM_PREFIX!, { partitions });
      const auth = find(objects, 'TriggerAuthentication', 'pixsim-redis-cluster')!;
      expect(auth.spec.secretTargetRef.map((r: any) => r.parameter).sort()).toEqual(['addresses', 'password']);
      for (const so of byKind(objects, 'ScaledObject')) {
        const service = so.spec.scaleTargetRef.name as ServiceName;
        const cluster = so.spec.triggers.filter((t: any) => t.type === 'redis-cluster-streams');
        expect(
          so.spec.triggers.filter((t: any) => t.type === 'redis-streams'),
          service,
        ).toEqual([]);
        const expected = streamsConsumedBy(service).flatMap((type) => keys.streams(type));
        expect(cluster.map((t: any) => t.metadata.stream).sort(), service).toEqual(expected.sort());
        for (const t of cluster) {
          expect(t.metadata.consumerGroup, service).toBe(service);
          expect(Number(t.metadata.lagCount)).toBeGreaterThan(0);
          expect(t.metadata.pendingEntriesCount).toBeUndefined();
          expect(t.authenticationRef.name).toBe('pixsim-redis-cluster');
        }
        if (service === 'poller') expect(so.spec.triggers.map((t: any) => t.type)).toContain('prometheus');
      }
      for (const s of SERVICES) {
        expect(envNamed(container(objects, s), 'REDIS_CLUSTER_NODES')?.valueFrom?.secretKeyRef?.name, s).toBe(
          'pixsim-endpoints',
        );
      }
    });
  });

  it('when a manifest or the deploy files cite a document, then it exists', () => {
    const cited = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else
          for (const m of fs.readFileSync(p, 'utf8').matchAll(/\b((?:docs|deploy)\/[\w./-]+\.md)\b/g)) cited.add(m[1]!);
      }
    };
    walk(K8S);
    walk(path.join(REPO_ROOT, 'deploy'));
    expect(cited.size).toBeGreaterThan(2);
    for (const doc of cited) expect(fs.existsSync(path.join(REPO_ROOT, doc)), doc).toBe(true);
  });
});
