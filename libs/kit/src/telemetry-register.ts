/**
 * Load with `node --import tsx --import @pixsim/kit/telemetry-register src/main.ts`.
 *
 * The ESM loader hook must be registered before the application graph is imported,
 * else ioredis, mongoose and friends load unpatched; hence this separate entry point
 * and the dynamic import below (static imports would run before `register`).
 * Reads the OTEL_* and K8S_* variables (telemetry-env.ts); without
 * OTEL_EXPORTER_OTLP_ENDPOINT it registers no hook and records nothing. runService flushes the
 * spans (`shutdownTelemetry()`) as the last step of its shutdown.
 */
import { register } from 'node:module';

try {
  // Without an exporter nothing is instrumented (telemetry.ts), so the loader hook and its
  // thread (about 14 MiB resident) are not needed either.
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim())
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const { startTelemetryFromEnv } = await import('./telemetry-env.js');
  startTelemetryFromEnv(process.env);
} catch (err) {
  // Telemetry never stops a service from starting.
  process.stderr.write(
    `${JSON.stringify({ level: 'warn', component: 'telemetry', msg: `telemetry-register failed: ${String(err)}` })}\n`,
  );
}
