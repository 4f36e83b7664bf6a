import { z } from 'zod';
import { loadConfig, type Env } from './config.js';
import { urlFromEnv } from './config-fields.js';
import { errorMessage } from './errors.js';
import { startTelemetry, type Telemetry } from './telemetry.js';

const telemetryEnvSchema = z.object({
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('pixsim'),
  OTEL_EXPORTER_OTLP_ENDPOINT: urlFromEnv(['http', 'https']).optional(),
});

/** startTelemetry configured from OTEL_SERVICE_NAME / OTEL_EXPORTER_OTLP_ENDPOINT; a bad value disables telemetry. */
export function startTelemetryFromEnv(env: Env = process.env): Telemetry {
  try {
    const cfg = loadConfig(telemetryEnvSchema, env);
    return startTelemetry({ serviceName: cfg.OTEL_SERVICE_NAME, otlpEndpoint: cfg.OTEL_EXPORTER_OTLP_ENDPOINT });
  } catch (err) {
    process.stderr.write(
      `${JSON.stringify({ level: 'warn', component: 'telemetry', msg: `telemetry disabled: ${errorMessage(err)}` })}\n`,
    );
    return { shutdown: async () => {} };
  }
}
