import { generateSealingKeyPair, parsePublicKey } from '@pixsim/credentials';
import { createLogger } from '@pixsim/kit';
import { buildApp } from '../../../services/gateway/src/app.js';

/**
 * The gateway's OpenAPI document without a running system: the app is built on stub
 * ports (no route is called) and asked for its document, as /docs/json serves it.
 */
export function stubGatewayApp(opts: { consoleDir?: string } = {}) {
  const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not connected')) }) as never;
  const app = buildApp({
    logger: createLogger({ service: 'openapi', level: 'silent' }),
    adminToken: 'x'.repeat(32),
    identity: unused,
    users: unused,
    jobs: unused,
    assets: unused,
    accounts: unused,
    publish: unused,
    providers: { has: () => true, get: unused },
    sealingKey: parsePublicKey(generateSealingKeyPair('k1').publicKey),
    bus: unused,
    idempotency: unused,
    insights: unused,
    updates: unused,
    quota: unused,
    resolveHost: unused,
    clock: () => new Date(),
    newId: () => 'unused',
    readiness: {},
    callbacks: { allowPrivate: false, store: unused },
    webhook: { secret: 'x'.repeat(32), nonces: unused, poke: unused },
    consoleDir: opts.consoleDir,
  });
  return app;
}

export async function gatewayOpenApiDocument(): Promise<Record<string, unknown>> {
  const app = stubGatewayApp();
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<Record<string, unknown>>();
  await app.close();
  return doc;
}
