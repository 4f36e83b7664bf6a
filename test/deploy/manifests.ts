import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));
export const K8S = path.join(REPO_ROOT, 'k8s');

/** Every kustomization the repository ships, rendered and checked on its own. */
export const KUSTOMIZATIONS = [
  'base',
  'base/monitoring',
  'base/migrate',
  'base/backup',
  'overlays/dev',
  'overlays/prod',
  'overlays/dev/migrate',
  'overlays/prod/migrate',
] as const;
export const OVERLAYS = ['overlays/dev', 'overlays/prod'] as const;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  [k: string]: unknown;
}

/** Where `kubectl` is, or why it is not usable: the manifest tests skip (only) when it is absent. */
export function findKubectl(): { ok: true } | { ok: false; reason: string } {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error)
    return {
      ok: false,
      reason: `kubectl is not on PATH (${(r.error as NodeJS.ErrnoException).code}); install it (Debian: apt-get install -y kubernetes-client)`,
    };
  return { ok: true };
}

/** `kubectl kustomize <dir>`: the objects it renders, in order. */
export function render(dir: string, root = K8S): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', path.join(root, dir)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return parseYamlDocs(out, `kubectl kustomize k8s/${dir}`);
}

export function parseYamlDocs(text: string, where: string): K8sObject[] {
  const docs = parseAllDocuments(text);
  const objects: K8sObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${where}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS({ maxAliasCount: -1 }) as K8sObject | null;
    if (value) objects.push(value);
  }
  return objects;
}

export const byKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);

export function find(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

/** A generated ConfigMap by its name before kustomize appended the content hash (`name-<10 chars>`). */
export function findConfigMap(objects: K8sObject[], name: string): K8sObject | undefined {
  return objects.find(
    (o) =>
      o.kind === 'ConfigMap' &&
      (o.metadata.name === name || new RegExp(`^${name}-[a-z0-9]{10}$`).test(o.metadata.name)),
  );
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** Kubernetes label-selector semantics (an empty selector selects everything). */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const ok =
      e.operator === 'In'
        ? has && (e.values ?? []).includes(labels[e.key]!)
        : e.operator === 'NotIn'
          ? !has || !(e.values ?? []).includes(labels[e.key]!)
          : e.operator === 'Exists'
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

/** Pod-owning workloads and their pod templates (a CronJob's is its Job's). */
export function podTemplates(objects: K8sObject[]): { owner: K8sObject; template: any }[] {
  return objects
    .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'].includes(o.kind))
    .map((owner) => ({
      owner,
      template: owner.kind === 'CronJob' ? owner.spec.jobTemplate.spec.template : owner.spec.template,
    }));
}

export function readRepoFile(rel: string): string {
  return fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8');
}

/** Every `pixsim_*` metric the code registers (prom-client `name: '…'`), from the sources. */
export function definedPixsimMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'test') walk(p);
      } else if (entry.name.endsWith('.ts')) {
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/name:\s*['"](pixsim_[a-z0-9_]+)['"]/g)) names.add(m[1]!);
      }
    }
  };
  for (const top of ['libs', 'services']) walk(path.join(REPO_ROOT, top));
  return names;
}
