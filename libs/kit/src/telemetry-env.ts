import { z } from 'zod';
import { loadConfig, type Env } from './config.js';
import { urlFromEnv } from './config-fields.js';
import { errorMessage } from './errors.js';
import {
  defaultInstrumentations,
  librariesOf,
  TRACED_LIBRARIES,
  type TracedLibrary,
} from './telemetry-instrumentations.js';
import { pathHostsOf } from './telemetry-redact.js';
import { startTelemetry, type Telemetry } from './telemetry.js';

const telemetryEnvSchema = z.object({
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('pixsim'),
  OTEL_EXPORTER_OTLP_ENDPOINT: urlFromEnv(['http', 'https']).optional(),
  /** Standard: with OTEL_TRACES_SAMPLER set, the SDK builds the sampler from it; else parent-based ratio. */
  OTEL_TRACES_SAMPLER: z.string().trim().min(1).optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  /** Comma-separated subset of http, fastify, ioredis, mongoose, undici; default: the service's own list. */
  OTEL_NODE_ENABLED_INSTRUMENTATIONS: z
    .string()
    .trim()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(TRACED_LIBRARIES)))
    .optional(),
  /** Set from the downward API in Kubernetes; become k8s.* resource attributes. */
  K8S_POD_NAME: z.string().trim().min(1).optional(),
  K8S_NAMESPACE_NAME: z.string().trim().min(1).optional(),
  K8S_DEPLOYMENT_NAME: z.string().trim().min(1).optional(),
  K8S_NODE_NAME: z.string().trim().min(1).optional(),
  /** The provider's API: its request paths are kept on outgoing spans (other hosts keep only the origin). */
  PIXVERSE_BASE_URL: z.string().trim().optional(),
});

/** What startTelemetryFromEnv would start, for tests and the docs. */
export function telemetryOptionsFromEnv(env: Env): Parameters<typeof startTelemetry>[0] {
  const cfg = loadConfig(telemetryEnvSchema, env);
  const libraries: readonly TracedLibrary[] =
    cfg.OTEL_NODE_ENABLED_INSTRUMENTATIONS ?? librariesOf(cfg.OTEL_SERVICE_NAME);
  const k8s: Record<string, string | undefined> = {
    'k8s.pod.name': cfg.K8S_POD_NAME,
    'k8s.namespace.name': cfg.K8S_NAMESPACE_NAME,
    'k8s.deployment.name': cfg.K8S_DEPLOYMENT_NAME,
    'k8s.node.name': cfg.K8S_NODE_NAME,
  };
  const resourceAttributes = Object.fromEntries(
    Object.entries(k8s).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return {
    serviceName: cfg.OTEL_SERVICE_NAME,
    otlpEndpoint: cfg.OTEL_EXPORTER_OTLP_ENDPOINT,
    // Built only with an exporter: an instrumentation patches its library as it is constructed,
    // and without an exporter no span it made would go anywhere.
    instrumentations: cfg.OTEL_EXPORTER_OTLP_ENDPOINT ? defaultInstrumentations(libraries) : [],
    // OTEL_TRACES_SAMPLER set: leave the sampler to the SDK, which reads it (and its ARG) itself.
    ...(cfg.OTEL_TRACES_SAMPLER ? { samplerFromEnv: true } : { sampleRatio: cfg.OTEL_TRACES_SAMPLER_ARG ?? 1 }),
    ...(Object.keys(resourceAttributes).length > 0 ? { resourceAttributes } : {}),
    pathHosts: hostOf(cfg.PIXVERSE_BASE_URL),
  };
}

/**
 * startTelemetry configured from the standard OTEL_* variables (service name, endpoint,
 * sampler), K8S_* for resource attributes and the service's own instrumentation list;
 * a bad value disables telemetry.
 */
export function startTelemetryFromEnv(env: Env = process.env): Telemetry {
  try {
    return startTelemetry(telemetryOptionsFromEnv(env));
  } catch (err) {
    process.stderr.write(
      `${JSON.stringify({ level: 'warn', component: 'telemetry', msg: `telemetry disabled: ${errorMessage(err)}` })}\n`,
    );
    return { shutdown: async () => {} };
  }
}

function hostOf(url: string | undefined): string[] {
  try {
    return url ? pathHostsOf(url) : [];
  } catch {
    return [];
  }
}
