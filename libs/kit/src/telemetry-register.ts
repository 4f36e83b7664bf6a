/**
 * Load with `node --import tsx --import @pixsim/kit/telemetry-register src/main.ts`.
 *
 * The ESM loader hook must be registered before the application graph is imported,
 * else ioredis, mongoose and friends load unpatched; hence this separate entry point
 * and the dynamic import below (static imports would run before `register`).
 * Reads the OTEL_* and K8S_* variables (telemetry-env.ts). runService flushes the
 * spans (`shutdownTelemetry()`) as the last step of its shutdown.
 */
import { register } from 'node:module';

try {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const { startTelemetryFromEnv } = await import('./telemetry-env.js');
  startTelemetryFromEnv(process.env);
} catch (err) {
  // Telemetry never stops a service from starting.
  process.stderr.write(
    `${JSON.stringify({ level: 'warn', component: 'telemetry', msg: `telemetry-register failed: ${String(err)}` })}\n`,
  );
}
