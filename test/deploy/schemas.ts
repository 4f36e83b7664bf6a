import * as coreV1 from 'kubernetes-models/v1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as kedaV1alpha1 from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as monitoringV1 from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { K8sObject } from './manifests.js';

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

const isModel = (v: unknown): v is ModelClass =>
  typeof v === 'function' &&
  typeof (v as Partial<ModelClass>).apiVersion === 'string' &&
  typeof (v as Partial<ModelClass>).kind === 'string';

/** apiVersion/kind → model, for every group/version pixsim's manifests may use. */
const MODELS = new Map<string, ModelClass>();
for (const mod of [
  coreV1,
  appsV1,
  batchV1,
  policyV1,
  autoscalingV2,
  networkingV1,
  rbacV1,
  kedaV1alpha1,
  monitoringV1,
]) {
  for (const value of Object.values(mod)) if (isModel(value)) MODELS.set(`${value.apiVersion}/${value.kind}`, value);
}

/**
 * Validates an object against its OpenAPI/CRD schema. An apiVersion/kind with no model
 * is an error too: nothing reaches a cluster unchecked.
 */
export function validateObject(obj: K8sObject): string | null {
  const Model = MODELS.get(`${obj.apiVersion}/${obj.kind}`);
  if (!Model) return `${obj.apiVersion} ${obj.kind} has no schema to validate against`;
  try {
    new Model(obj).validate();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
